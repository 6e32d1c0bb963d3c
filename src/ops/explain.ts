// `cdc-sink explain`, the pure part: one record → what the sink would make of it. Decoding and the
// item are the product's own (core/decode.ts, core/write.ts); the outcome is decide.ts's.

import { decodeKafkaRecord } from "../core/record.ts";
import { PoisonError } from "../core/errors.ts";
import { decodeSafely } from "../engine/decode.ts";
import { META, type ItemOptions } from "../core/item.ts";
import type { DecodeOptions, KafkaRecord } from "../core/types.ts";
import {
  compareVersions,
  decideWrite,
  prepareWrite,
  reasonFor,
  sizeOf,
  writeUnits,
  type FieldComparison,
  type Prepared,
  type StoredItem,
} from "./decide.ts";

export type Explanation = {
  record: { topic: string; partition: number; offset: string; timestamp: string };
  outcome: string;
  code?: string;
  reason: string;
  identity?: { source: string; id: string; itemKey?: string; op: string; keyColumns: unknown[] };
  version?: string;
  item?: {
    table: string;
    sizeBytes: number;
    writeUnits: { put: number; transact: number };
    compressed: boolean;
    attributes: { name: string; type: string }[];
  };
  stored?: { version: string | undefined; deleted: boolean | undefined } | null;
  versions?: FieldComparison[];
};

/** Decodes and builds the item as `run` would; what needs no table read. */
export function prepare(
  record: KafkaRecord,
  decode: DecodeOptions,
  item: ItemOptions,
  nowMs: number,
): Prepared {
  try {
    // The processor's own rule: any exception while decoding makes the record poison.
    const decoded = decodeSafely(decodeKafkaRecord, record, decode);
    if (decoded.kind === "skip") return { kind: "skip", reason: decoded.reason };
    if (decoded.kind === "truncate") return { kind: "truncate", event: decoded.event };
    return prepareWrite(decoded.event, record, item, nowMs);
  } catch (err) {
    if (!(err instanceof PoisonError)) throw err;
    return { kind: "poison", code: err.code, message: err.message };
  }
}

const SKIPS: Record<string, string> = {
  kafka_tombstone: "a Kafka tombstone (null value) follows every Debezium delete; the delete itself wrote",
  truncate: "a TRUNCATE event, skipped (TRUNCATE_POLICY=skip; apply tombstones the source's items)",
  message: "a logical decoding message: not a row change",
  heartbeat: "a Debezium heartbeat: not a row change",
  transaction_metadata: "a Debezium transaction BEGIN/END marker: not a row change",
  schema_change: "a Debezium schema-change (DDL) event: not a row change",
};

/** The full explanation, given the item the table holds now (`stored`; unread for skips/poison). */
export function explain(
  record: KafkaRecord,
  prepared: Prepared,
  stored: StoredItem,
  table: string,
): Explanation {
  const out: Explanation = {
    record: {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp,
    },
    outcome: "",
    reason: "",
  };
  if (prepared.kind === "skip") {
    out.outcome = "skipped";
    out.reason = `${prepared.reason}: ${SKIPS[prepared.reason] ?? "not a row change"}`;
    return out;
  }
  if (prepared.kind === "truncate") {
    const t = prepared.event;
    out.outcome = "truncate";
    out.version = t.version;
    out.reason =
      `TRUNCATE_POLICY=apply: once every earlier record of the partition is written, each item of ` +
      `source ${t.source} with a ${t.versionScheme} version older than ${t.version} gets a tombstone ` +
      `(a Scan of ${table})`;
    return out;
  }
  const event = prepared.event;
  if (event !== undefined) {
    out.identity = {
      source: event.source,
      id: event.id,
      op: event.op,
      keyColumns: event.keyColumns.map((c) => ({ name: c.name, value: c.value })),
    };
    out.version = event.version;
  }
  if (prepared.kind === "poison") {
    out.outcome = "poison";
    out.code = prepared.code;
    out.reason = `${prepared.message} (dead-lettered with code ${prepared.code})`;
    return out;
  }
  const change = prepared.event;
  out.identity!.itemKey = prepared.key;
  const size = sizeOf(prepared.item);
  out.item = {
    table,
    sizeBytes: size,
    writeUnits: writeUnits(size),
    compressed: prepared.item[META.rowGzip] !== undefined,
    attributes: Object.entries(prepared.item).map(([name, v]) => ({ name, type: Object.keys(v)[0] ?? "?" })),
  };
  const version = stored?.[META.version]?.S;
  out.stored = stored === undefined ? null : { version, deleted: stored[META.deleted]?.BOOL ?? undefined };
  if (version !== undefined) out.versions = compareVersions(change.version, version);
  try {
    const outcome = decideWrite(change, stored);
    out.outcome = outcome;
    out.reason = reasonFor(outcome, change, stored);
  } catch (err) {
    if (!(err instanceof PoisonError)) throw err;
    out.outcome = "poison";
    out.code = err.code;
    out.reason = `${err.message} (dead-lettered with code ${err.code})`;
  }
  return out;
}

export function renderExplanation(e: Explanation): string {
  const ms = Number(e.record.timestamp);
  const at = Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : e.record.timestamp;
  const lines = [`record    ${e.record.topic}/${e.record.partition}@${e.record.offset} (${at})`];
  if (e.identity !== undefined) {
    lines.push(`source    ${e.identity.source}`, `id        ${e.identity.id}  (op ${e.identity.op})`);
    if (e.identity.itemKey !== undefined) lines.push(`item key  ${e.identity.itemKey}`);
  }
  if (e.version !== undefined) lines.push(`version   ${e.version}`);
  if (e.item !== undefined) {
    const wu = e.item.writeUnits;
    lines.push(
      `item      ${e.item.sizeBytes} bytes${e.item.compressed ? " (row gzip-compressed)" : ""}, ` +
        `${wu.put} WCU as PutItem (${wu.transact} in a transaction), table ${e.item.table}`,
      `          ${e.item.attributes.map((a) => `${a.name}:${a.type}`).join(" ")}`,
    );
  }
  if (e.stored !== undefined)
    lines.push(
      e.stored === null
        ? "stored    no item"
        : `stored    ${e.stored.version ?? "(no _cdc_version)"}` +
            (e.stored.deleted === true ? " (tombstone)" : ""),
    );
  for (const f of e.versions ?? [])
    lines.push(`  ${f.field.padEnd(14)} record ${f.record} ${f.order} stored ${f.stored}`);
  lines.push(`outcome   ${e.outcome}${e.code === undefined ? "" : ` (${e.code})`}`, `why       ${e.reason}`);
  return `${lines.join("\n")}\n`;
}
