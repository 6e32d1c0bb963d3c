// The engine's ports: what the processing loop needs from the outside world, stated in its own
// terms. Adapters implement them (src/adapters/*), the composition root (src/app/service.ts) wires
// them; nothing in src/engine imports an adapter, kafkajs or the AWS SDK.

import type { ClassifiedError } from "../core/errors.ts";
import type { Position } from "../core/item.ts";
import type { TruncateResult } from "../core/truncate.ts";
import type { ChangeEvent, KafkaRecord, Outcome, TruncateEvent, WriteOutcome } from "../core/types.ts";

/** What a record's final outcome came with, for telemetry. */
export type FinishDetail = { error?: ClassifiedError; coalesced?: boolean; skipReason?: string };

/** Told the write units a write consumed: the reply's ConsumedCapacity, or the sink's estimate. */
export type CapacityMeter = (units: number) => void;

/** The store: one conditional write per change; refused conditions are outcomes, not errors. */
export type Sink = {
  /**
   * Tombstones every item of the truncate's source older than it (core/truncate.ts), page by page;
   * `onPage` hears each page's counts as it is done, so a retried truncate still counts every
   * tombstone once. Idempotent: run again, it tombstones nothing more. The DynamoDB sinks have it;
   * a sink without it cannot serve TRUNCATE_POLICY=apply.
   */
  truncate?(
    event: TruncateEvent,
    at: Position,
    onPage?: (page: TruncateResult) => void,
  ): Promise<TruncateResult>;
  write(event: ChangeEvent, at: Position, meter?: CapacityMeter): Promise<WriteOutcome>;
  /** The write units this change's write should cost, before it is sent (for a write budget). */
  estimateUnits?(event: ChangeEvent, at: Position): number;
};

/** The dead-letter topic: a poison record with the error that made it poison. */
export type DeadLetter = {
  publish(record: KafkaRecord, error: ClassifiedError, attempts: number): Promise<void>;
};

/** Per-partition flow control of the consumer: paused partitions are not fetched. */
export type Flow = {
  pause(topic: string, partition: number): void;
  resume(topic: string, partition: number): void;
};

/** An offset to commit: the next offset to read (Kafka's convention: last completed + 1). */
export type CommitPoint = { topic: string; partition: number; offset: string };

type LogFn = { (fields: object, message?: string): void; (message: string): void };

/** Structured logging (pino's shape); src/telemetry/log.ts provides it. */
export type Log = {
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
  readonly debug: LogFn;
  readonly fatal: LogFn;
  child(bindings: Record<string, unknown>): Log;
};

/**
 * Per-record telemetry (a span per record); src/telemetry/record-tracer.ts implements it. Every call
 * is guarded: an observer that throws never changes an outcome. `within` runs a record's work with
 * its trace context active, so the sink's DynamoDB span and the log lines of that work join the
 * record's trace; the work runs exactly once even if `within` fails.
 */
export type RecordObserver = {
  received?(record: KafkaRecord): void;
  decoded?(record: KafkaRecord, event: ChangeEvent): void;
  retrying?(record: KafkaRecord, error: ClassifiedError, attempt: number, delayMs: number): void;
  /**
   * `coalesced`: finished without a write, a newer version of its key in the batch was written.
   * `skipReason`: why a skipped record was skipped (a SkipReason, or `poison` under POISON_POLICY=skip).
   */
  finished?(record: KafkaRecord, outcome: Outcome, detail?: FinishDetail): void;
  released?(record: KafkaRecord): void;
  within?(record: KafkaRecord, work: () => unknown): unknown;
};

// ---- Kafka, in the engine's terms: what a Kafka client library must provide (adapters/kafka) ----

/** Partitions per topic. */
export type Assignment = Readonly<Record<string, readonly number[]>>;

/** One partition's fetched records, handed over whole; the handler returns at once. */
export type FetchedBatch = {
  readonly topic: string;
  readonly partition: number;
  /** The partition's log end offset when the batch was fetched (decimal int64). */
  readonly highWatermark: string;
  readonly records: readonly KafkaRecord[];
};

/** Named topics, a pattern, or both; `fromBeginning` where the group has no committed offset. */
export type Subscription = {
  readonly topics: readonly string[];
  readonly pattern?: RegExp | undefined;
  readonly fromBeginning: boolean;
};

/**
 * What the consumer reports, in group terms. An eager protocol (kafkajs, librdkafka's classic
 * assignors) revokes everything and then assigns a whole new set; an incremental one (cooperative,
 * KIP-848's `group.protocol=consumer`) adds and removes partitions and keeps fetching the others.
 */
export type ConsumerHandlers = {
  batch(batch: FetchedBatch): void;
  /** Eager: the member's whole assignment in a new generation (every earlier lease is void). */
  assigned(assignment: Assignment, memberId: string): void;
  /** Eager: a rebalance began, or the client restarts: every partition is gone. */
  revokedAll(): void;
  /** Incremental: these partitions are added; the ones held stay, with their fetch positions. */
  added(assignment: Assignment, memberId: string): void;
  /** Incremental: these partitions go to another member; the rest stay. */
  revoked(assignment: Assignment): void;
  /** The client stopped for good: a permanent error, or its restart budget spent. */
  failed(err: Error): void;
};

/** A group consumer with manual commits and per-partition flow control. */
export type KafkaConsumerClient = {
  /**
   * True when the client itself subscribes topics created later that match the pattern (librdkafka
   * re-evaluates a regex subscription on every metadata refresh); false when it matches only when
   * run() subscribes (kafkajs), so the source subscribes again when new topics appear.
   */
  readonly followsPattern: boolean;
  /** Joins the group for `subscription` and hands batches to `handlers` until stop() or disconnect(). */
  run(subscription: Subscription, handlers: ConsumerHandlers): Promise<void>;
  /** Stops fetching and leaves the group, so run() can be called again with a new subscription. */
  stop(): Promise<void>;
  /** Not fetched until resumed. Ignored while the client is not running (nothing to pause then). */
  pause(topic: string, partitions: readonly number[]): void;
  resume(topic: string, partitions: readonly number[]): void;
  /**
   * The service is on its way out: hand nothing more over (what comes is read again by the next
   * holder, as nothing past it is committed) until disconnect(). Without it, pause everything.
   */
  quiesce?(): void;
  /** Commits exactly these offsets (the next offset to read) in the member's current generation. */
  commit(points: readonly CommitPoint[]): Promise<void>;
  /** A commit refused because the group is changing generation: redone after the rejoin. */
  isRebalanceError(err: unknown): boolean;
  /** Leaves the group (if joined) and closes every connection. */
  disconnect(): Promise<void>;
};

/** Topic metadata: what exists, and each topic's cleanup.policy. Errors name the brokers. */
export type KafkaTopicMetadata = {
  listTopics(): Promise<string[]>;
  /** `cleanup.policy` of each topic (DescribeConfigs), e.g. `delete`, `compact,delete`. */
  cleanupPolicies(topics: readonly string[]): Promise<Map<string, string>>;
  close(): Promise<void>;
};

/** One message for a producer; a null key is allowed, a null value is a tombstone. */
export type OutgoingMessage = {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
};

/** The dead-letter producer: acks from every in-sync replica (acks=all). */
export type KafkaRecordProducer = {
  /**
   * `too_large` when the broker refuses the message's size (MESSAGE_TOO_LARGE, Kafka error 10:
   * the same bytes fail forever); any other failure throws.
   */
  send(topic: string, message: OutgoingMessage): Promise<"sent" | "too_large">;
  disconnect(): Promise<void>;
};
