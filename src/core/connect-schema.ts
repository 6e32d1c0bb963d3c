// Values of Kafka Connect's JsonConverter with `schemas.enable=true` carry a schema beside each
// payload. Where that schema says more than the JSON does, we use it: exact decimals arrive as
// base64 two's-complement bytes, and `bytes` columns as base64 strings. Without a schema those
// values stay the strings they are (documented in the README's type mapping).
//
// Rows are built with setOwn: a column may be called `__proto__`, and assigning that name to a
// plain object sets its prototype instead of adding the column.

import { PoisonError } from "./errors.ts";
import { JsonNumber, isPlainObject, setOwn, type JsonValue } from "./json.ts";
import { MAX_CONTAINERS, tooDeep } from "./nesting.ts";
import type { Row, RowValue } from "./types.ts";

export type ConnectSchema = {
  type?: string;
  name?: string;
  field?: string;
  parameters?: Record<string, string>;
  fields?: ConnectSchema[];
  items?: ConnectSchema;
};

const DECIMAL = "org.apache.kafka.connect.data.Decimal";
const VARIABLE_SCALE_DECIMAL = "io.debezium.data.VariableScaleDecimal";

// Bounds of a decimal no source database exceeds. Connect's scale is a Java int (BigDecimal), but
// PostgreSQL's numeric, the widest of Debezium's sources, has scales -1000…16383 and at most
// 131072 + 16383 digits, whose unscaled value takes about 61 KB (Oracle: scale -84…127, 38
// digits; SQL Server and MySQL: 0…38 and 0…30). Past these, the text alone would be tens of
// kilobytes of zeros up to a RangeError, and the arithmetic on a megabyte of digits would take
// seconds: a bad producer, refused as poison.
export const MAX_DECIMAL_SCALE = 16383;
export const MAX_DECIMAL_BYTES = 64 * 1024;

/** The fields of a struct schema; a schema is message data, so a malformed one reads as none. */
export function schemaFields(schema: ConnectSchema | undefined): ConnectSchema[] {
  const fields: unknown = schema?.fields;
  if (!Array.isArray(fields)) return [];
  return fields.filter((f): f is ConnectSchema => isPlainObject(f));
}

/** The schema of a named field of a struct schema, if any. */
export function fieldSchema(schema: ConnectSchema | undefined, name: string): ConnectSchema | undefined {
  return schemaFields(schema).find((f) => f.field === name);
}

function invalidDecimal(what: string): PoisonError {
  return new PoisonError("invalid_decimal", `a decimal value ${what}`);
}

/**
 * Unscaled big-endian two's-complement integer → exact decimal text with `scale` digits after the
 * point.
 */
export function decimalFromBytes(bytes: Uint8Array, scale: number): string {
  if (!Number.isSafeInteger(scale) || Math.abs(scale) > MAX_DECIMAL_SCALE)
    throw invalidDecimal(`has a scale that is not an integer within ±${MAX_DECIMAL_SCALE}`);
  if (bytes.length > MAX_DECIMAL_BYTES)
    throw invalidDecimal(`has ${bytes.length} bytes of digits, over ${MAX_DECIMAL_BYTES}`);
  // One conversion of the whole hex text: linear, where a byte-by-byte shift would be quadratic.
  let unscaled = bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
  // Stryker disable next-line EqualityOperator,ConditionalExpression: equivalent for the length test —
  // with no bytes, bytes[0] is undefined and `undefined & 0x80` is 0, so `>= 0` or `true` change nothing.
  if (bytes.length > 0 && (bytes[0]! & 0x80) !== 0) unscaled -= 1n << BigInt(bytes.length * 8);
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, "0");
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  } else if (scale < 0 && digits !== "0") {
    digits = digits + "0".repeat(-scale);
  }
  return negative ? `-${digits}` : digits;
}

function base64Bytes(value: string): Uint8Array {
  return new Uint8Array(Buffer.from(value, "base64"));
}

/** A scale as Connect writes it: a JSON number (VariableScaleDecimal) or digits (a parameter). */
function scaleOf(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^-?\d{1,10}$/.test(value)) return Number(value);
  return NaN;
}

/**
 * Converts one value according to its Connect schema; unknown shapes pass through unchanged.
 * `depth` counts the lists and structs around it (a column's value is at 0).
 */
export function convertValue(value: JsonValue, schema: ConnectSchema | undefined, depth = 0): RowValue {
  if (value === null || schema === undefined) return value;
  if (schema.name === DECIMAL && typeof value === "string") {
    return new JsonNumber(decimalFromBytes(base64Bytes(value), scaleOf(schema.parameters?.["scale"] ?? "0")));
  }
  if (schema.name === VARIABLE_SCALE_DECIMAL && isPlainObject(value) && typeof value["value"] === "string") {
    return new JsonNumber(decimalFromBytes(base64Bytes(value["value"]), scaleOf(value["scale"] ?? 0)));
  }
  if (schema.type === "bytes" && typeof value === "string") return base64Bytes(value);
  if (depth >= MAX_CONTAINERS && (Array.isArray(value) || isPlainObject(value))) throw tooDeep("a column");
  if (schema.type === "array" && Array.isArray(value))
    return value.map((v) => convertValue(v, schema.items, depth + 1));
  if (schema.type === "struct" && isPlainObject(value)) return convertStruct(value, schema, depth + 1);
  return value;
}

/** Converts every field of a struct; column order is kept as the payload gives it. */
export function convertStruct(
  value: { [key: string]: JsonValue },
  schema: ConnectSchema | undefined,
  depth = 0,
): Row {
  const out: Row = {};
  for (const name of Object.keys(value))
    setOwn(out, name, convertValue(value[name]!, fieldSchema(schema, name), depth));
  return out;
}

/** Splits JsonConverter's `{schema, payload}` wrapper; plain JSON comes back with no schema. */
export function unwrap(json: JsonValue): { payload: JsonValue; schema: ConnectSchema | undefined } {
  if (isPlainObject(json) && "payload" in json && "schema" in json && Object.keys(json).length === 2) {
    const schema = isPlainObject(json["schema"]) ? (json["schema"] as unknown as ConnectSchema) : undefined;
    return { payload: json["payload"] ?? null, schema };
  }
  return { payload: json, schema: undefined };
}
