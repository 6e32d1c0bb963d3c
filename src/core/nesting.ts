// DynamoDB holds lists and maps nested up to 32 levels deep ("Nested attribute depth", DynamoDB
// quotas); a deeper value is refused by the write with a ValidationException. Checked here, once
// per column and without recursion, so that a value nested thousands deep becomes a poison record
// with a clear code instead of a stack overflow in the recursive code after it (marshalling,
// canonical JSON of the key).

import { PoisonError } from "./errors.ts";
import { JsonNumber } from "./json.ts";
import type { RowValue } from "./types.ts";

export const MAX_NESTING = 32;

export function tooDeep(where: string): PoisonError {
  return new PoisonError(
    "too_deep",
    `${where} nests lists or maps more than ${MAX_NESTING} levels deep, DynamoDB's limit`,
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

/** Throws `too_deep` when `value` nests lists/maps more than 32 levels (`[]` is one level). */
export function checkNesting(value: RowValue, where: string): void {
  // Breadth first: `level` holds the containers at nesting level `depth`.
  let level = isContainer(value) ? [value] : [];
  for (let depth = 1; level.length > 0; depth++) {
    if (depth > MAX_NESTING) throw tooDeep(where);
    const next: (RowValue[] | { [key: string]: RowValue })[] = [];
    for (const v of level) {
      for (const child of Array.isArray(v) ? v : Object.values(v)) if (isContainer(child)) next.push(child);
    }
    level = next;
  }
}
