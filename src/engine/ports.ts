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
