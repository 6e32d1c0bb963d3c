// Kafka record → change event: pure, no I/O. Every way a record can be unusable becomes a
// PoisonError with a code and a message a person can act on; nothing is silently dropped.

import { PoisonError, errorMessage } from "./errors.ts";
import {
  convertStruct,
  convertValue,
  fieldSchema,
  schemaFields,
  unwrap,
  type ConnectSchema,
} from "./connect-schema.ts";
import { checkNesting, tooDeep } from "./nesting.ts";
import { describeIssues, envelopeSchema, quickEnvelope, type Envelope } from "./envelope.ts";
import { encodeId, sourceName } from "./identity.ts";
import { isPlainObject, numberText, parseJson, type JsonValue } from "./json.ts";
import { mongoImage, mongoKey } from "./mongo-document.ts";
import type { ChangeEvent, DecodeOptions, Decoded, KafkaRecord, KeyColumn, Row, RowValue } from "./types.ts";
import { deriveVersion } from "./versions/index.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

function parseBytes(bytes: Buffer, what: "key" | "value"): JsonValue {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new PoisonError("undecodable", `the message ${what} is not valid UTF-8`);
  }
  try {
    return parseJson(text);
  } catch (err) {
    // V8 parses with the reviver recursively: valid JSON nested some thousands deep overflows.
    if (err instanceof RangeError) throw tooDeep(`the message ${what}`);
    // Never the parser's own text: V8 quotes the input in it ("Unexpected token 'Z', "{"a":Zq…"),
    // and the input is row data. Where it went wrong and how long it is are enough to find it.
    const at = /at position (\d+)/.exec(errorMessage(err))?.[1];
    const where = at === undefined ? "" : `, malformed at character ${at}`;
    throw new PoisonError("undecodable", `the message ${what} is not JSON (${bytes.length} bytes${where})`);
  }
}

/**
 * A message key or value once its bytes are read: the payload with its Connect schema when the
 * producer sent one. JSON bytes become this by `unwrap`; other formats (e.g. Avro through a schema
 * registry) produce it themselves and decode with `decodeMessage`.
 */
export type Message = { readonly payload: JsonValue; readonly schema?: ConnectSchema | undefined };

/** Parses a JSON key or value, with or without the JsonConverter's schema wrapper. */
export function parseMessage(bytes: Buffer, what: "key" | "value"): Message {
  return unwrap(parseBytes(bytes, what));
}

/** Key columns in key order: the key schema's field order when present, else the JSON's. */
export function decodeKey(key: Buffer | null): KeyColumn[] {
  if (key === null || key.length === 0)
    throw new PoisonError("missing_key", "the message has no key; Debezium keys carry the row's primary key");
  return decodeKeyMessage(parseMessage(key, "key"));
}

/** Key columns of a parsed key; null when the message had no key. */
export function decodeKeyMessage(key: Message | null): KeyColumn[] {
  if (key === null)
    throw new PoisonError("missing_key", "the message has no key; Debezium keys carry the row's primary key");
  const { payload, schema } = key;
  if (payload === null) throw new PoisonError("missing_key", "the message key is null");
  if (!isPlainObject(payload)) return [{ name: "key", value: convertValue(payload, schema) }];
  const fields = schemaFields(schema);
  const names =
    fields.length > 0
      ? fields.map((f) => f.field).filter((n): n is string => typeof n === "string" && n in payload)
      : Object.keys(payload);
  if (names.length === 0) throw new PoisonError("missing_key", "the message key has no columns");
  return names.map((name) => {
    const value = convertValue(payload[name] ?? null, fieldSchema(schema, name));
    checkNesting(value, `key column ${JSON.stringify(name)}`);
    return { name, value };
  });
}

function image(value: unknown, schema: ConnectSchema | undefined, name: "before" | "after"): Row | null {
  if (!isPlainObject(value)) return null;
  const row = convertStruct(value, fieldSchema(schema, name));
  for (const column of Object.keys(row)) checkNesting(row[column]!, `column ${JSON.stringify(column)}`);
  return row;
}

function checked(row: Row | null): Row | null {
  for (const column of Object.keys(row ?? {}))
    checkNesting(row![column]!, `column ${JSON.stringify(column)}`);
  return row;
}

/** Debezium's MongoDB connector: its images are Extended JSON strings (mongo-document.ts). */
function isMongo(payload: { [key: string]: JsonValue }): boolean {
  const source = payload["source"];
  return isPlainObject(source) && source["connector"] === "mongodb";
}

/**
 * The envelope zod checks for a MongoDB record: the images' strings stand in as empty rows (they
 * are parsed on their own), and an update without `after` gets its own reason: MongoDB's change
 * stream sends only the changed fields (`updateDescription`) unless asked for the document.
 */
function mongoEnvelope(payload: { [key: string]: JsonValue }): { [key: string]: JsonValue } {
  const present = (v: JsonValue | undefined) => v !== undefined && v !== null;
  if (payload["op"] === "u" && !present(payload["after"]))
    throw new PoisonError(
      "invalid_envelope",
      "a MongoDB update without the `after` document (only updateDescription): set the connector's " +
        "capture.mode to change_streams_update_full (or change_streams_update_full_with_pre_image)",
    );
  const stand = (v: JsonValue | undefined) => (typeof v === "string" ? {} : v);
  return { ...payload, before: stand(payload["before"]) ?? null, after: stand(payload["after"]) ?? null };
}

// Debezium's `unavailable.value.placeholder` (default shown): under REPLICA IDENTITY DEFAULT an
// UPDATE that leaves a TOASTed column (a large text, jsonb, bytea, array) unchanged carries this
// instead of the value — as text, as bytes, or as base64 text for bytes without the schema. Written
// as-is it would replace the row's value in DynamoDB; the row image is incomplete, so the record is
// refused (REPLICA IDENTITY FULL makes Debezium send the value).
const UNAVAILABLE = "__debezium_unavailable_value";
const UNAVAILABLE_BYTES = Buffer.from(UNAVAILABLE);
const UNAVAILABLE_TEXTS = new Set([
  UNAVAILABLE,
  UNAVAILABLE_BYTES.toString("base64"),
  UNAVAILABLE_BYTES.toString("hex"),
]);

function isUnavailable(value: RowValue): boolean {
  if (typeof value === "string") return UNAVAILABLE_TEXTS.has(value);
  if (value instanceof Uint8Array) return UNAVAILABLE_BYTES.equals(value);
  return Array.isArray(value) && value.length > 0 && value.every((v) => isUnavailable(v));
}

export function refuseUnavailable(row: Row | null): void {
  const column = row === null ? undefined : Object.keys(row).find((c) => isUnavailable(row[c]!));
  if (column !== undefined) {
    throw new PoisonError(
      "unavailable_value",
      `column ${JSON.stringify(column)} holds Debezium's unavailable-value placeholder (an unchanged ` +
        `TOASTed value under REPLICA IDENTITY DEFAULT); the row image is incomplete: set REPLICA ` +
        `IDENTITY FULL on the source table`,
    );
  }
}

export function tsMs(value: unknown): number | undefined {
  const text = numberText(value);
  const n = text === undefined ? NaN : Number(text);
  return Number.isFinite(n) ? n : undefined;
}

function checkedEnvelope(payload: { [key: string]: JsonValue }): Pick<Envelope, "op" | "source"> {
  const parsed = envelopeSchema.safeParse(payload);
  if (!parsed.success)
    throw new PoisonError("invalid_envelope", `invalid Debezium envelope: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/**
 * A parsed value (and, lazily, its key) → change event. `record` gives the topic, offset and
 * headers; its key and value bytes are not read here.
 */
export function decodeMessage(
  key: () => Message | null,
  value: Message,
  record: KafkaRecord,
  options: DecodeOptions,
): Decoded {
  const { payload, schema } = value;
  if (payload === null) return { kind: "skip", reason: "kafka_tombstone" };
  if (!isPlainObject(payload))
    throw new PoisonError("invalid_envelope", "the message value is not a Debezium envelope object");

  const mongo = isMongo(payload);
  const env =
    (mongo ? undefined : quickEnvelope(payload)) ?? checkedEnvelope(mongo ? mongoEnvelope(payload) : payload);
  if (env.op === "t")
    return truncateOf(env.source as { [key: string]: JsonValue | undefined } | undefined, record, options);
  if (env.op === "m") return { kind: "skip", reason: "message" };

  const keyColumns = mongo ? mongoKey(decodeKeyMessage(key())) : decodeKeyMessage(key());
  // The images as parsed, not zod's copies: zod rebuilds records by assignment, which drops a
  // column called `__proto__`; it only checks their shape here.
  const before = mongo
    ? checked(mongoImage(payload["before"], "before"))
    : image(payload["before"], schema, "before");
  const after = mongo
    ? checked(mongoImage(payload["after"], "after"))
    : image(payload["after"], schema, "after");
  if (env.op !== "d") refuseUnavailable(after);
  const source = env.source as { [key: string]: JsonValue | undefined } | undefined;
  const { version, scheme } = deriveVersion(
    {
      op: env.op,
      source,
      transaction: isPlainObject(payload["transaction"]) ? payload["transaction"] : undefined,
      row: env.op === "d" ? before : after,
      kafkaOffset: record.offset,
    },
    options,
  );
  const event: ChangeEvent = {
    op: env.op,
    source: sourceName(env.source, record.topic, options.sourceName),
    id: encodeId(keyColumns),
    keyColumns,
    version,
    versionScheme: scheme,
    row: env.op === "d" ? null : after,
    sourceTsMs: tsMs(env.source?.ts_ms),
  };
  return { kind: "change", event };
}

/**
 * A truncate: skipped, or (TRUNCATE_POLICY=apply) versioned at its own position like a change
 * there, a streamed one (Debezium writes truncates only while streaming). A truncate has no row,
 * so VERSION_SOURCE=column cannot version it: poison `missing_version`.
 */
export function truncateOf(
  source: { [key: string]: JsonValue | undefined } | undefined,
  record: KafkaRecord,
  options: DecodeOptions,
  versionOf: () => { version: string; scheme: string } = () =>
    deriveVersion({ op: "u", source, row: null, kafkaOffset: record.offset }, options),
): Decoded {
  if (options.truncate !== "apply") return { kind: "skip", reason: "truncate" };
  const { version, scheme } = versionOf();
  return {
    kind: "truncate",
    event: {
      source: sourceName(source, record.topic, options.sourceName),
      version,
      versionScheme: scheme,
      sourceTsMs: tsMs(source?.["ts_ms"]),
    },
  };
}
