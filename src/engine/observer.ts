// The processor's port for per-record telemetry; src/telemetry/record-tracer.ts implements it.

import type { SinkError } from "../core/errors.ts";
import type { ChangeEvent, KafkaRecord, Outcome } from "../core/types.ts";

/**
 * Per-record telemetry (a span per record). Every call is guarded: an observer that throws never
 * changes an outcome. `within` runs a record's work with its trace context active, so the sink's
 * DynamoDB span and the log lines of that work join the record's trace; the work runs exactly once
 * even if `within` fails.
 */
export type RecordObserver = {
  received?(record: KafkaRecord): void;
  decoded?(record: KafkaRecord, event: ChangeEvent): void;
  retrying?(record: KafkaRecord, error: SinkError, attempt: number, delayMs: number): void;
  /** `coalesced`: finished without a write, a newer version of its key in the batch was written. */
  finished?(record: KafkaRecord, outcome: Outcome, detail?: { error?: SinkError; coalesced?: boolean }): void;
  released?(record: KafkaRecord): void;
  within?(record: KafkaRecord, work: () => unknown): unknown;
};
