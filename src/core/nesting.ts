// DynamoDB holds attributes nested up to 32 levels deep ("Nested attribute depth", DynamoDB
// quotas), the attribute itself counting as the first: at most 31 lists or maps around the
// innermost value. A deeper value is refused by the write with a ValidationException ("Nesting
// Levels have exceeded supported limits"; DynamoDB Local refused 32 lists: test/integration/core).
// Checked here, once per column and without recursion, so that a value nested thousands deep
// becomes a poison record with a clear code instead of a stack overflow in the recursive code
// after it (marshalling, canonical JSON of the key).

import { PoisonError } from "./errors.ts";
import { JsonNumber } from "./json.ts";
import type { RowValue } from "./types.ts";

/** DynamoDB's nesting levels, the attribute included. */
export const MAX_NESTING = 32;
/** Lists and maps one attribute may nest: the attribute itself is the first level. */
export const MAX_CONTAINERS = MAX_NESTING - 1;

export function tooDeep(where: string): PoisonError {
  return new PoisonError(
    "too_deep",
    `${where} nests more than ${MAX_CONTAINERS} lists or maps, past DynamoDB's ${MAX_NESTING} levels`,
  );
}

function isContainer(value: RowValue): value is RowValue[] | { [key: string]: RowValue } {
  return (
    value !== null &&
    typeof value === "object" &&
    !(value instanceof JsonNumber) &&
    !(value instanceof Uint8Array)
  );
}

/** Throws `too_deep` when `value` nests more than 31 lists/maps (`[]` is one). */
export function checkNesting(value: RowValue, where: string): void {
  // Breadth first: `level` holds the containers at nesting level `depth`.
  let level = isContainer(value) ? [value] : [];
  for (let depth = 1; level.length > 0; depth++) {
    if (depth > MAX_CONTAINERS) throw tooDeep(where);
    const next: (RowValue[] | { [key: string]: RowValue })[] = [];
    for (const v of level) {
      for (const child of Array.isArray(v) ? v : Object.values(v)) if (isContainer(child)) next.push(child);
    }
    level = next;
  }
}
