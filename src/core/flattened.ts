// Flattened records: the output of Debezium's ExtractNewRecordState transform (docs/formats/
// flattened.md). The value is the row itself; what the envelope said around it comes back only as
// the fields or headers the connector was told to add (`add.fields`, `add.headers`), named `__` +
// the field (`lsn` → `__lsn`, `source.ts_ms` → `__source_ts_ms`: FieldReference in Debezium's
// AbstractExtractNewRecordState). Deletes arrive per `delete.tombstone.handling.mode`:
//   - rewrite / rewrite-with-tombstone: the before image with `__deleted: "true"` (inserts and
//     updates carry `__deleted: "false"`); the second also keeps Debezium's Kafka tombstone;
//   - tombstone / delete-to-tombstone: a null value, whose headers (add.headers) carry the delete's
//     own fields — a tombstone made from a Kafka tombstone carries only `__op`;
//   - drop: nothing arrives (the sink cannot apply what it never sees; documented).
// Truncates are dropped by the transform (AbstractExtractRecordStrategy.handleTruncateRecord).
//
// Every value field named `__…` is metadata, never a column: the transform gives no other way to
// tell its fields from the row's, so a real column named `__x` is not written in this format.

import { PoisonError } from "./errors.ts";
import { convertStruct, type ConnectSchema } from "./connect-schema.ts";
import { checkNesting } from "./nesting.ts";
import { decodeKeyMessage, refuseUnavailable, truncateOf, tsMs, type Message } from "./decode.ts";
import { encodeId, sourceName } from "./identity.ts";
import { isPlainObject, JsonNumber, setOwn, type JsonValue } from "./json.ts";
import {
  VersionSource,
  type ChangeEvent,
  type DecodeOptions,
  type Decoded,
  type KafkaRecord,
  type Row,
} from "./types.ts";
import { deriveVersion, type SourceBlock, type VersionInput } from "./versions/index.ts";

/** The prefix Debezium puts before every added field and header (`add.fields.prefix`' default). */
export const META_PREFIX = "__";

type Meta = ReadonlyMap<string, JsonValue>;

/** The first of `names` (without the prefix) that the record carries. */
function pick(meta: Meta, ...names: string[]): JsonValue | undefined {
  for (const n of names) {
    const v = meta.get(n);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

/**
 * `__x` headers first, then `__x` value fields: a field wins (it is in the value's own schema),
 * unless it is null — an optional field left empty says nothing, and must not hide the header.
 */
function metadata(record: KafkaRecord, payload: { [k: string]: JsonValue } | null): Map<string, JsonValue> {
  const meta = new Map<string, JsonValue>();
  for (const [name, text] of Object.entries(record.headers))
    if (name.startsWith(META_PREFIX) && text !== undefined) meta.set(name.slice(META_PREFIX.length), text);
  if (payload !== null)
    for (const name of Object.keys(payload)) {
      const key = name.slice(META_PREFIX.length);
      if (name.startsWith(META_PREFIX) && (payload[name] !== null || !meta.has(key)))
        meta.set(key, payload[name]!);
    }
  return meta;
}

/** Header values are text; a position is compared as digits, so numbers keep their exact text. */
function digits(v: JsonValue | undefined): JsonValue | undefined {
  // The version schemes read digit text and numbers alike (only a refusal's wording differs):
  // Stryker disable next-line ConditionalExpression,Regex,StringLiteral: equivalent, see above
  return typeof v === "string" && /^\d+$/.test(v) ? new JsonNumber(v) : v;
}

/**
 * The source block the version schemes read, rebuilt from the added position fields: PostgreSQL
 * by `lsn` (and `sequence` when added: then the versions equal the envelope's), MySQL/MariaDB by
 * `file` and `pos` (and `row`, and the transaction's `total_order`). Undefined when none was added.
 */
function positionSource(meta: Meta): { source: SourceBlock; transaction?: SourceBlock } | undefined {
  const lsn = digits(pick(meta, "lsn", "source_lsn"));
  const sequence = pick(meta, "sequence", "source_sequence");
  if (lsn !== undefined || typeof sequence === "string")
    return { source: { connector: "postgresql", lsn, sequence } };
  const file = pick(meta, "file", "source_file");
  const pos = digits(pick(meta, "pos", "source_pos"));
  if (file !== undefined && pos !== undefined) {
    const order = digits(pick(meta, "total_order", "transaction_total_order"));
    return {
      source: { connector: "mysql", file, pos, row: digits(pick(meta, "row", "source_row")) },
      // Stryker disable next-line ConditionalExpression: total_order undefined ranks as no transaction
      ...(order === undefined ? {} : { transaction: { total_order: order } }),
    };
  }
  return undefined;
}

function withoutVersion(what: string): PoisonError {
  return new PoisonError(
    "flattened_without_version",
    `${what} carries no position field (add.fields or add.headers with lsn for PostgreSQL, ` +
      "file,pos,row for MySQL) and no VERSION_COLUMN is configured: its order cannot be known",
  );
}

function version(
  op: ChangeEvent["op"],
  meta: Meta,
  row: Row | null,
  record: KafkaRecord,
  options: DecodeOptions,
  what: string,
): { version: string; scheme: string } {
  const base = { op, row, kafkaOffset: record.offset };
  if (options.versionSource !== VersionSource.auto)
    return deriveVersion({ ...base, source: undefined }, options);
  const position = positionSource(meta);
  if (position !== undefined) {
    const input: VersionInput = { ...base, source: position.source, transaction: position.transaction };
    return deriveVersion(input, options);
  }
  if (options.versionColumn !== undefined)
    return deriveVersion({ ...base, source: undefined }, { ...options, versionSource: VersionSource.column });
  throw withoutVersion(what);
}

function opOf(meta: Meta, deleted: boolean): ChangeEvent["op"] | "t" | "m" {
  if (deleted) return "d";
  const op = pick(meta, "op");
  if (op === undefined) return "u"; // without `op` added, every row is an upsert (docs/formats)
  if (op === "c" || op === "u" || op === "d" || op === "r" || op === "t" || op === "m") return op;
  throw new PoisonError(
    "invalid_envelope",
    `__op must be one of "c", "u", "d", "r", "t", "m" (got ${JSON.stringify(op)})`,
  );
}

function isDeleted(v: JsonValue | undefined): boolean {
  return v === "true" || v === true;
}

/** The row's columns: every value field but the `__` metadata, converted by the value's schema. */
function columns(payload: { [k: string]: JsonValue }, schema: ConnectSchema | undefined): Row {
  const own: { [k: string]: JsonValue } = {};
  for (const name of Object.keys(payload))
    if (!name.startsWith(META_PREFIX)) setOwn(own, name, payload[name]!);
  const row = convertStruct(own, schema);
  for (const column of Object.keys(row)) checkNesting(row[column]!, `column ${JSON.stringify(column)}`);
  return row;
}

/**
 * A flattened record → change event. `value` is null for a Kafka tombstone: in this format that
 * is a delete (delete.tombstone.handling.mode=tombstone), applied when its headers carry its
 * position and poison otherwise — skipping it would lose the delete.
 */
export function decodeFlattened(
  key: () => Message | null,
  value: Message | null,
  record: KafkaRecord,
  options: DecodeOptions,
): Decoded {
  const payload = value?.payload ?? null;
  if (payload !== null && !isPlainObject(payload))
    throw new PoisonError("invalid_envelope", "the message value is not a flattened row object");
  const meta = metadata(record, payload);
  const op = opOf(meta, payload === null || isDeleted(meta.get("deleted")));
  const source = {
    name: str(pick(meta, "name", "source_name")),
    db: str(pick(meta, "db", "source_db")),
    schema: str(pick(meta, "schema", "source_schema")),
    table: str(pick(meta, "table", "source_table")),
    ts_ms: pick(meta, "source_ts_ms", "ts_ms"),
  };
  // ExtractNewRecordState drops truncates (handleTruncateRecord); another transform may keep one.
  if (op === "t")
    return truncateOf(source, record, options, () =>
      version("u", meta, null, record, options, "a flattened truncate"),
    );
  if (op === "m") return { kind: "skip", reason: "message" };
  const what = payload === null ? "a flattened delete (a tombstone)" : "a flattened record";
  // Stryker disable next-line OptionalChaining: value is null only when payload is: no column is read
  const row = payload === null ? null : columns(payload, value?.schema);
  if (op !== "d") refuseUnavailable(row);
  const keyColumns = decodeKeyMessage(key());
  const v = version(op, meta, row, record, options, what);
  const event: ChangeEvent = {
    op,
    source: sourceName(source, record.topic, options.sourceName),
    id: encodeId(keyColumns),
    keyColumns,
    version: v.version,
    versionScheme: v.scheme,
    row: op === "d" ? null : row,
    sourceTsMs: tsMs(source.ts_ms),
  };
  return { kind: "change", event };
}

function str(v: JsonValue | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}
