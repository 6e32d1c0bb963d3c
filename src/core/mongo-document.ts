// MongoDB's record shape (Debezium's MongoDB connector): the `after` and `before` images are not
// structs but one JSON string each, the document in MongoDB Extended JSON (MongoDbCollectionSchema
// puts `JsonSerialization.getDocumentValue`, i.e. BsonDocument.toJson in the driver's legacy
// STRICT mode: `{"$numberLong": "1004"}`, `{"$date": 1558965508000}`, `{"$binary": "…", "$type":
// "04"}`); the key is a struct with one field `id`, the document's `_id` as relaxed Extended JSON
// text (JsonSerialization.getDocumentId: `1004`, `"abc"`, `{"$oid": "596e…"}`). The canonical and
// relaxed forms of the same types (`{"$binary": {"base64", "subType"}}`, `{"$date": "…Z"}`,
// `$numberInt`, `$numberDouble`) are read too, so a connector configured otherwise still decodes.
//
// Becomes: $oid → S (hex), $numberLong / $numberInt / $numberDecimal / $numberDouble → N with
// their exact text (NaN and infinities, which DynamoDB's N cannot hold, → S), $date → S (ISO
// 8601, UTC, milliseconds), $binary → B, or S (the UUID's text) for subtype 04, $undefined → NULL;
// any other `$` form ($timestamp, $regex, $minKey…) stays the map it is. Nested documents → M,
// arrays → L.

import { PoisonError } from "./errors.ts";
import { JsonNumber, isPlainObject, parseJson, setOwn, type JsonValue } from "./json.ts";
import { MAX_CONTAINERS, tooDeep } from "./nesting.ts";
import type { KeyColumn, Row, RowValue } from "./types.ts";

function invalid(what: string): PoisonError {
  return new PoisonError("invalid_document", `${what} is not a MongoDB Extended JSON document`);
}

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const HEX_24 = /^[0-9a-f]{24}$/i;

function numberOrText(text: string, integer: boolean, where: string): RowValue {
  if ((integer ? INTEGER : DECIMAL).test(text)) return new JsonNumber(text);
  if (!integer && /^(-?Infinity|NaN)$/.test(text)) return text;
  throw invalid(where);
}

function dateText(value: JsonValue, where: string): string {
  let ms: number;
  if (typeof value === "string") ms = Date.parse(value);
  else if (isPlainObject(value) && typeof value["$numberLong"] === "string")
    ms = Number(value["$numberLong"]);
  else if (typeof value === "number") ms = value;
  else ms = NaN;
  if (!Number.isInteger(ms) || Math.abs(ms) > 8.64e15) throw invalid(where);
  return new Date(ms).toISOString();
}

function binary(base64: JsonValue | undefined, subType: JsonValue | undefined, where: string): RowValue {
  if (typeof base64 !== "string" || typeof subType !== "string" || !/^[0-9a-f]{1,2}$/i.test(subType))
    throw invalid(where);
  const bytes = Buffer.from(base64, "base64");
  if (parseInt(subType, 16) !== 4) return new Uint8Array(bytes);
  if (bytes.length !== 16) throw invalid(where);
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** One Extended JSON wrapper (`{"$oid": …}`…) as a value, or undefined when `doc` is no wrapper. */
function wrapper(doc: { [key: string]: JsonValue }, where: string): RowValue | undefined {
  const keys = Object.keys(doc);
  if (keys.length === 1) {
    const first = keys[0]!;
    const value = doc[first]!;
    switch (first) {
      case "$oid":
        if (typeof value !== "string" || !HEX_24.test(value)) throw invalid(where);
        return value.toLowerCase();
      case "$numberLong":
      case "$numberInt":
        if (typeof value !== "string") throw invalid(where);
        return numberOrText(value, true, where);
      case "$numberDecimal":
      case "$numberDouble":
        if (typeof value !== "string") throw invalid(where);
        return numberOrText(value, false, where);
      case "$date":
        return dateText(value, where);
      case "$binary":
        return isPlainObject(value) ? binary(value["base64"], value["subType"], where) : undefined;
      case "$undefined":
        return null;
    }
  }
  if (keys.length === 2 && "$binary" in doc && "$type" in doc)
    return binary(doc["$binary"], doc["$type"], where);
  return undefined;
}

function convert(value: JsonValue, depth: number, where: string): RowValue {
  if (value === null || typeof value !== "object" || value instanceof JsonNumber) return value;
  // One level more than DynamoDB holds: the innermost map may be a wrapper that becomes a scalar.
  // The converted row is checked exactly afterwards (checkNesting); this bounds the recursion.
  if (depth > MAX_CONTAINERS + 1) throw tooDeep(where);
  if (Array.isArray(value)) return value.map((v) => convert(v, depth + 1, where));
  const scalar = wrapper(value, where);
  if (scalar !== undefined) return scalar;
  const row: Row = {};
  for (const key of Object.keys(value)) setOwn(row, key, convert(value[key]!, depth + 1, where));
  return row;
}

function parse(text: string, where: string): JsonValue {
  try {
    return parseJson(text);
  } catch (err) {
    // As decode's parseBytes: never the parser's message, which quotes the document.
    if (err instanceof RangeError) throw tooDeep(where);
    throw invalid(where);
  }
}

/** The `after` or `before` string of a MongoDB record as a row; null when the image is absent. */
export function mongoImage(value: unknown, name: "before" | "after"): Row | null {
  if (value === undefined || value === null) return null;
  const where = `the ${name} document`;
  if (typeof value !== "string") throw invalid(where);
  const doc = parse(value, where);
  if (!isPlainObject(doc)) throw invalid(where);
  return convert(doc, 0, where) as Row;
}

/** The key of a MongoDB record (`{"id": "<_id as Extended JSON>"}`) as the `_id` key column. */
export function mongoKey(columns: readonly KeyColumn[]): KeyColumn[] {
  const id = columns.length === 1 && columns[0]!.name === "id" ? columns[0]!.value : undefined;
  if (typeof id !== "string")
    throw new PoisonError("missing_key", 'the MongoDB key is not {"id": "<the _id as Extended JSON>"}');
  return [{ name: "_id", value: convert(parse(id, "the key's id"), 0, "the key's id") }];
}
