// A mapped item's key values from a change, and the run-time collision check on a refused write.
import type { AttributeValue, Item } from "./attribute-value.ts";
import { PoisonError } from "./errors.ts";
import { META } from "./item.ts";
import { numberText } from "./json.ts";
import { fitsDynamoNumber } from "./marshal.ts";
import { ID_REF, SOURCE_REF, columnRefs, render } from "./template.ts";
import type { ChangeEvent, RowValue } from "./types.ts";
import type { TableMapping } from "./mapping.ts";
import type { KeyPart } from "./mapping-spec.ts";

export function keyValue(part: KeyPart, event: ChangeEvent, maxBytes: number): AttributeValue {
  const t = part.template!;
  const values = (ref: string): RowValue => {
    if (ref === SOURCE_REF) return event.source;
    if (ref === ID_REF) return event.id;
    const column = event.keyColumns.find((c) => c.name === ref);
    if (column === undefined)
      throw new PoisonError(
        "mapping_key_mismatch",
        `the record's key has no column ${ref} (key attribute ${part.attribute})`,
      );
    return column.value;
  };
  if (part.type === "N") {
    const ref = columnRefs(t)[0]!;
    const text = numberText(values(ref));
    if (text === undefined || !fitsDynamoNumber(text))
      throw new PoisonError(
        "invalid_value",
        `key attribute ${part.attribute} is a number (N), but {${ref}} is not a number DynamoDB holds exactly`,
      );
    return { N: text };
  }
  if (part.type === "B") {
    const ref = columnRefs(t)[0]!;
    const value = values(ref);
    if (!(value instanceof Uint8Array))
      throw new PoisonError(
        "invalid_value",
        `key attribute ${part.attribute} is binary (B), but {${ref}} is not bytes`,
      );
    if (value.length === 0)
      throw new PoisonError("invalid_value", `key attribute ${part.attribute} would be empty`);
    return { B: value };
  }
  const text = render(t, values, part.attribute);
  if (text === "") throw new PoisonError("invalid_value", `key attribute ${part.attribute} would be empty`);
  const bytes = Buffer.byteLength(text);
  if (bytes > maxBytes)
    throw new PoisonError(
      "key_too_large",
      `key attribute ${part.attribute} is ${bytes} bytes, over DynamoDB's ${maxBytes}-byte limit`,
    );
  return { S: text };
}

/** A refused condition's stored item names another row: the key collides (run time). */
export function collision(
  event: ChangeEvent,
  old: Item | undefined,
  mapping: TableMapping | undefined,
): PoisonError | undefined {
  if (mapping?.templated !== true || old?.[META.version] === undefined) return undefined;
  const source = old[META.source]?.S;
  const id = old[META.id]?.S;
  if (source === event.source && id === event.id) return undefined;
  return new PoisonError(
    "key_collision",
    `the mapped item for this record (source ${event.source}) already holds another row ` +
      `(${source === undefined ? `no ${META.source}` : `source ${source}`}); the mapping gives two rows one ` +
      "item, so nothing was written",
  );
}
