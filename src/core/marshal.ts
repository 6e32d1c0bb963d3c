// Row values → DynamoDB attribute values, exactly. Numbers keep their source text; a number that
// DynamoDB cannot hold exactly (more than 38 significant digits, or beyond its exponent range) is
// stored as a string rather than rounded — documented in the README's type mapping.

import type { AttributeValue } from "./attribute-value.ts";
import { PoisonError } from "./errors.ts";
import { JsonNumber, setOwn } from "./json.ts";
import { MAX_CONTAINERS, tooDeep } from "./nesting.ts";
import type { RowValue } from "./types.ts";

const NUMBER = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** True when DynamoDB's Number type holds this decimal text exactly. */
export function fitsDynamoNumber(text: string): boolean {
  const m = NUMBER.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return false;
  let digits = `${m[2]}${m[3] ?? ""}`.replace(/^0+/, "");
  if (digits === "") return true;
  let exp = Number(m[4] ?? "0") - (m[3] ?? "").length;
  const trimmed = digits.replace(/0+$/, "");
  exp += digits.length - trimmed.length;
  digits = trimmed;
  const magnitude = exp + digits.length - 1;
  return digits.length <= 38 && magnitude >= -130 && magnitude <= 125;
}

function numberAttribute(text: string): AttributeValue {
  return fitsDynamoNumber(text) ? { N: text } : { S: text };
}

/**
 * A row value as a DynamoDB attribute. `depth` counts the lists and maps around it: past
 * DynamoDB's 32 levels (31 lists/maps) the value is poison; decode checks first, and this keeps
 * the recursion bounded for any other caller. Map keys are set with setOwn, so a `__proto__` key
 * is kept.
 */
export function toAttribute(value: RowValue, depth = 0): AttributeValue {
  if (value === null) return { NULL: true };
  if (typeof value === "string") return { S: value };
  if (typeof value === "boolean") return { BOOL: value };
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new PoisonError("invalid_value", "a number is not finite");
    return numberAttribute(String(value));
  }
  if (value instanceof JsonNumber) return numberAttribute(value.text);
  if (value instanceof Uint8Array) return { B: value };
  if (depth >= MAX_CONTAINERS) throw tooDeep("a value");
  if (Array.isArray(value)) return { L: value.map((v) => toAttribute(v, depth + 1)) };
  const m: Record<string, AttributeValue> = {};
  for (const k of Object.keys(value)) setOwn(m, k, toAttribute(value[k]!, depth + 1));
  return { M: m };
}

/** DynamoDB's item size rule (name bytes + value bytes), erring high so the 400 KB check is safe. */
export function attributeSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.length / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) return 3 + value.L.reduce((n, v) => n + 1 + attributeSize(v), 0);
  if (value.M !== undefined) return 3 + itemSize(value.M) + Object.keys(value.M).length;
  return 0;
}

export function itemSize(item: Record<string, AttributeValue>): number {
  let size = 0;
  for (const [name, v] of Object.entries(item)) size += Buffer.byteLength(name) + attributeSize(v);
  return size;
}
