import type { JsonValue } from "./json.ts";

/** Every consumed record ends as exactly one of these (semantics.md, "Outcome of every record"). */
export const Outcome = {
  applied: "applied",
  duplicate: "duplicate",
  stale: "stale",
  skipped: "skipped",
  deadLettered: "dead_lettered",
} as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];
export const OUTCOMES: readonly Outcome[] = Object.values(Outcome);

/** The outcome of a conditional write: what the store said. */
export type WriteOutcome = typeof Outcome.applied | typeof Outcome.duplicate | typeof Outcome.stale;

export const VersionSource = { auto: "auto", column: "column", kafkaOffset: "kafka-offset" } as const;
export type VersionSource = (typeof VersionSource)[keyof typeof VersionSource];

/** A row value after decoding: JSON, plus binary for Connect `bytes` fields. */
export type RowValue = JsonValue | Uint8Array | RowValue[] | { [column: string]: RowValue };
export type Row = { [column: string]: RowValue };

/** What Kafka handed us, as bytes: decoding is ours. */
export type KafkaRecord = {
  readonly topic: string;
  readonly partition: number;
  /** Offsets are int64: kept as decimal text, as kafkajs gives them. */
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly timestamp: string;
};

/**
 * The shape of a record's value (docs/formats/): Debezium's full envelope, the flattened row of
 * its ExtractNewRecordState transform, or `auto` (told apart per record by the envelope's fields).
 */
export const RECORD_FORMATS = ["envelope", "flattened", "auto"] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

/** How records of one topic are identified and versioned (from config, or a route). */
export type DecodeOptions = {
  /** Default `envelope`. */
  readonly format?: RecordFormat | undefined;
  readonly versionSource: VersionSource;
  readonly versionColumn?: string | undefined;
  /** 0–9999, prefixed to every version so a restored database can restart its log positions. */
  readonly epoch: number;
  readonly sourceName?: string | undefined;
  /** What a truncate (`op: t`) does: `skip` (the default) or `apply` (a TruncateEvent). */
  readonly truncate?: TruncatePolicy | undefined;
};

/**
 * A route's truncates (TRUNCATE_POLICY, a route's `truncate`; docs/formats/truncate.md): `skip`
 * them, or `apply` them as a tombstone on every item of their source older than the truncate.
 */
export const TRUNCATE_POLICIES = ["skip", "apply"] as const;
export type TruncatePolicy = (typeof TRUNCATE_POLICIES)[number];

/** A truncate to apply: every item of `source` with an older version of the scheme is tombstoned. */
export type TruncateEvent = {
  readonly source: string;
  /** The truncate's position, as a change at that position would be versioned. */
  readonly version: string;
  readonly versionScheme: string;
  readonly sourceTsMs?: number | undefined;
};

export type KeyColumn = { readonly name: string; readonly value: RowValue };

export type ChangeEvent = {
  readonly op: "c" | "u" | "d" | "r";
  /** Which source table: `connector.db.schema.table` by default. */
  readonly source: string;
  /** Unambiguous encoding of the key columns, in key order. */
  readonly id: string;
  readonly keyColumns: readonly KeyColumn[];
  /** Fixed-width text that sorts like the change order of one row; compared exactly. */
  readonly version: string;
  /** `pg:`, `my:`, `mssql:`, `ora:`, `db2:`, `mongo:`, `col:` or `ko:`: never compared across schemes. */
  readonly versionScheme: string;
  /** The row after the change; null for deletes. */
  readonly row: Row | null;
  /** Source commit time (ms since epoch) when the envelope gives it; for freshness only. */
  readonly sourceTsMs?: number | undefined;
};

export type SkipReason =
  | "kafka_tombstone"
  | "truncate"
  | "message"
  /** Debezium's side topics (src/core/side-topics.ts): never a row change. */
  | "heartbeat"
  | "transaction_metadata"
  | "schema_change";

export type Decoded =
  | { readonly kind: "change"; readonly event: ChangeEvent }
  | { readonly kind: "truncate"; readonly event: TruncateEvent }
  | { readonly kind: "skip"; readonly reason: SkipReason };
