// Values of Kafka Connect's JsonConverter with `schemas.enable=true` carry a schema beside each
// payload. Where that schema says more than the JSON does, we use it: exact decimals arrive as
// base64 two's-complement bytes, and `bytes` columns as base64 strings. Without a schema those
// values stay the strings they are (documented in the README's type mapping).

import { JsonNumber, isPlainObject, type JsonValue } from "./json.ts";
import type { RowValue } from "./types.ts";

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

/** The schema of a named field of a struct schema, if any. */
export function fieldSchema(schema: ConnectSchema | undefined, name: string): ConnectSchema | undefined {
  return schema?.fields?.find((f) => f.field === name);
}

/** Unscaled big-endian two's-complement integer → exact decimal text with `scale` digits after the point. */
export function decimalFromBytes(bytes: Uint8Array, scale: number): string {
  let unscaled = 0n;
  for (const b of bytes) unscaled = (unscaled << 8n) | BigInt(b);
  if (bytes.length > 0 && (bytes[0]! & 0x80) !== 0) unscaled -= 1n << BigInt(bytes.length * 8);
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, "0");
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  } else if (scale < 0) {
    digits = digits + "0".repeat(-scale);
  }
  return negative ? `-${digits}` : digits;
}

function base64Bytes(value: string): Uint8Array {
  return new Uint8Array(Buffer.from(value, "base64"));
}

/** Converts one value according to its Connect schema; unknown shapes pass through unchanged. */
export function convertValue(value: JsonValue, schema: ConnectSchema | undefined): RowValue {
  if (value === null || schema === undefined) return value;
  if (schema.name === DECIMAL && typeof value === "string") {
    return new JsonNumber(decimalFromBytes(base64Bytes(value), Number(schema.parameters?.["scale"] ?? "0")));
  }
  if (schema.name === VARIABLE_SCALE_DECIMAL && isPlainObject(value) && typeof value["value"] === "string") {
    return new JsonNumber(decimalFromBytes(base64Bytes(value["value"]), Number(value["scale"] ?? 0)));
  }
  if (schema.type === "bytes" && typeof value === "string") return base64Bytes(value);
  if (schema.type === "array" && Array.isArray(value)) return value.map((v) => convertValue(v, schema.items));
  if (schema.type === "struct" && isPlainObject(value)) return convertStruct(value, schema);
  return value;
}

/** Converts every field of a struct; column order is kept as the payload gives it. */
export function convertStruct(
  value: { [key: string]: JsonValue },
  schema: ConnectSchema | undefined,
): { [column: string]: RowValue } {
  const out: { [column: string]: RowValue } = {};
  for (const [name, v] of Object.entries(value)) out[name] = convertValue(v, fieldSchema(schema, name));
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
