// Debezium's side topics: records a connector writes beside the row changes, which a topic pattern
// picks up as easily as the tables' topics. None is a row change, none is bad input: each is
// recognised and skipped with its reason, never dead-lettered (docs/formats/side-topics.md).
// The shapes are Debezium's (debezium-connector-common, SchemaFactory.java and HistoryRecord):
//   - heartbeat: topic `__debezium-heartbeat.<topic.prefix>` (topic.heartbeat.prefix's default),
//     key `{serverName}` (schema io.debezium.connector.common.ServerNameKey), value `{ts_ms}`
//     (io.debezium.connector.common.Heartbeat);
//   - transaction metadata (provide.transaction.metadata=true): topic `<prefix>.transaction`, value
//     `{status: BEGIN|END, id, event_count, data_collections, ts_ms}`
//     (io.debezium.connector.common.TransactionMetadataValue);
//   - schema change (include.schema.changes=true, MySQL/SQL Server/Oracle/Db2): topic `<prefix>`,
//     value `{source, ts_ms, databaseName, schemaName, ddl, tableChanges}`
//     (io.debezium.connector.<connector>.SchemaChangeValue).
// Recognised by the value's schema name when the converter sent one, else by the exact field set,
// so that a table that happens to have a column called `ddl` is not mistaken for one.

import type { ConnectSchema } from "./connect-schema.ts";
import type { Message } from "./decode.ts";
import { isPlainObject } from "./json.ts";
import type { SkipReason } from "./types.ts";

export type SideReason = Extract<SkipReason, "heartbeat" | "transaction_metadata" | "schema_change">;

/** The heartbeat topic's default prefix (topic.heartbeat.prefix). */
export const HEARTBEAT_TOPIC_PREFIX = "__debezium-heartbeat.";

/** A side topic told by its name alone, before its bytes are read. */
export function sideTopic(topic: string): SideReason | undefined {
  return topic.startsWith(HEARTBEAT_TOPIC_PREFIX) ? "heartbeat" : undefined;
}

function bySchema(schema: ConnectSchema | undefined): SideReason | undefined {
  const name = schema?.name;
  if (name === undefined) return undefined;
  if (name === "io.debezium.connector.common.Heartbeat") return "heartbeat";
  if (name === "io.debezium.connector.common.TransactionMetadataValue") return "transaction_metadata";
  if (name.startsWith("io.debezium.connector.") && name.endsWith(".SchemaChangeValue"))
    return "schema_change";
  return undefined;
}

// Stryker disable next-line ArrayDeclaration: another default matters only for a field of that name
function sameKeys(value: object, keys: readonly string[], optional: readonly string[] = []): boolean {
  const own = Object.keys(value);
  return keys.every((k) => own.includes(k)) && own.every((k) => keys.includes(k) || optional.includes(k));
}

function byShape(value: Message, key: Message | null): SideReason | undefined {
  const v = value.payload;
  // Stryker disable next-line ConditionalExpression: a non-null non-object has no own keys to match
  if (!isPlainObject(v)) return undefined;
  const k = key?.payload;
  if (sameKeys(v, ["ts_ms"]) && isPlainObject(k) && sameKeys(k, ["serverName"])) return "heartbeat";
  if (
    sameKeys(v, ["status", "id", "ts_ms"], ["event_count", "data_collections"]) &&
    (v["status"] === "BEGIN" || v["status"] === "END")
  )
    return "transaction_metadata";
  if (sameKeys(v, ["source", "ts_ms", "ddl", "tableChanges"], ["databaseName", "schemaName"]))
    return "schema_change";
  return undefined;
}

/** The reason to skip a parsed record of a side topic; undefined for everything else. */
export function sideRecord(value: Message, key: () => Message | null): SideReason | undefined {
  return bySchema(value.schema) ?? byShape(value, safeKey(key));
}

// The key only helps recognise a heartbeat; a key that cannot be read is the decoder's to report.
function safeKey(key: () => Message | null): Message | null {
  try {
    return key();
  } catch {
    return null;
  }
}
