// Spans of the Kafka side, after the OpenTelemetry messaging conventions for Kafka.
//
// - One CONSUMER span `<topic> process` per record, not per batch: every record has its own
//   producer, its own outcome, and coalescing decides per record. The producer's `traceparent`
//   header (W3C trace context, through the configured propagator) is the span's *parent*, so a
//   change is one trace from producer to DynamoDB; a record without one starts a trace.
// - Its outcome is `cdc.outcome`. applied, duplicate, stale and skipped are successes (status
//   unset); dead_lettered sets status ERROR with error.type = the poison code, because the record
//   failed (the service did not). Retries are `retry` events on the span.
// - A record coalesced away (a newer version of its key in the same batch was written) ends with
//   `stale`/`duplicate` and `cdc.coalesced=true`, and has no DynamoDB child.
// - The DLQ publish is a PRODUCER child span `<dlq topic> publish`; commits are CLIENT spans
//   `commit`, roots of their own (one commit covers many records of many traces).

import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Context,
  type Span,
  type Tracer,
} from "@opentelemetry/api";
import { Outcome, type ChangeEvent, type KafkaRecord } from "../core/types.ts";
import type { ClassifiedError } from "../core/errors.ts";
import type { FinishDetail, RecordObserver } from "../engine/ports.ts";
import type { CommitPoint, DeadLetter } from "../engine/ports.ts";
import type { SinkMetrics } from "./metrics.ts";
import { keyHash } from "./log.ts";
import { safely, type FailureReporter } from "../engine/guard.ts";

import type { KeyMode } from "../config/parsers.ts";
export type { KeyMode };

type Open = { readonly span: Span; readonly ctx: Context; event?: ChangeEvent };

export type RecordTracerOptions = {
  readonly tracer: Tracer;
  readonly metrics: SinkMetrics;
  readonly groupId: string;
  readonly keyMode: KeyMode;
  /** false: no spans (the tracer records nothing); only the metrics. Absent: true. */
  readonly tracing?: boolean;
  readonly now?: () => number;
};

function offsetValue(offset: string): number | string {
  const n = Number(offset);
  return Number.isSafeInteger(n) ? n : offset;
}

export class RecordTracer implements RecordObserver {
  readonly #o: RecordTracerOptions;
  // Bounded by MAX_BUFFERED_RECORDS: every record here is buffered in the processor too.
  readonly #open = new Map<KafkaRecord, Open>();
  /** Without tracing: the source time of each decoded record with one, for the freshness metric. */
  readonly #sourceTs = new Map<KafkaRecord, number>();
  readonly #tracing: boolean;

  constructor(options: RecordTracerOptions) {
    this.#o = options;
    this.#tracing = options.tracing !== false;
  }

  received(record: KafkaRecord): void {
    if (!this.#tracing) return;
    const parent = propagation.extract(ROOT_CONTEXT, record.headers);
    const attributes: Record<string, string | number | boolean> = {
      "messaging.system": "kafka",
      "messaging.operation.name": "process",
      "messaging.operation.type": "process",
      "messaging.destination.name": record.topic,
      "messaging.destination.partition.id": String(record.partition),
      "messaging.kafka.offset": offsetValue(record.offset),
      "messaging.consumer.group.name": this.#o.groupId,
    };
    if (record.value === null) attributes["messaging.kafka.message.tombstone"] = true;
    else attributes["messaging.message.body.size"] = record.value.length;
    const span = this.#o.tracer.startSpan(
      `${record.topic} process`,
      { kind: SpanKind.CONSUMER, attributes },
      parent,
    );
    // Hashed only for a span that is recorded: no cost per record when tracing is off or sampled out.
    if (record.key !== null && this.#o.keyMode !== "none" && span.isRecording()) {
      span.setAttribute(
        "messaging.kafka.message.key",
        this.#o.keyMode === "raw" ? record.key.toString("utf8") : keyHash(record.key),
      );
    }
    this.#open.set(record, { span, ctx: trace.setSpan(parent, span) });
  }

  decoded(record: KafkaRecord, event: ChangeEvent): void {
    if (!this.#tracing) {
      if (event.sourceTsMs !== undefined) this.#sourceTs.set(record, event.sourceTsMs);
      return;
    }
    const open = this.#open.get(record);
    if (open === undefined) return;
    open.event = event;
    open.span.setAttributes({ "cdc.source": event.source, "cdc.op": event.op, "cdc.version": event.version });
  }

  retrying(record: KafkaRecord, error: ClassifiedError, attempt: number, delayMs: number): void {
    this.#o.metrics.retry(record.topic, error.code, error.errorClass);
    this.#open.get(record)?.span.addEvent("retry", {
      "cdc.retry.attempt": attempt,
      "cdc.retry.delay_ms": delayMs,
      "error.type": error.code,
      "cdc.error.class": error.errorClass,
    });
  }

  finished(record: KafkaRecord, outcome: Outcome, detail?: FinishDetail): void {
    if (!this.#tracing) {
      const ts = this.#sourceTs.get(record);
      if (ts !== undefined) this.#sourceTs.delete(record);
      if (outcome === Outcome.applied) this.#o.metrics.applied(record.topic, ts, (this.#o.now ?? Date.now)());
      return;
    }
    const open = this.#open.get(record);
    if (outcome === Outcome.applied)
      this.#o.metrics.applied(record.topic, open?.event?.sourceTsMs, (this.#o.now ?? Date.now)());
    if (open === undefined) return;
    this.#open.delete(record);
    open.span.setAttribute("cdc.outcome", outcome);
    if (detail?.coalesced === true) open.span.setAttribute("cdc.coalesced", true);
    if (detail?.skipReason !== undefined) open.span.setAttribute("cdc.skip_reason", detail.skipReason);
    if (outcome === Outcome.deadLettered || (outcome === Outcome.skipped && detail?.error !== undefined)) {
      const code = detail?.error?.code ?? "poison";
      const done = outcome === Outcome.skipped ? "skipped" : "dead-lettered";
      open.span.setAttribute("error.type", code);
      // The code only: a poison message may quote the record.
      open.span.setStatus({ code: SpanStatusCode.ERROR, message: `poison record ${done} (${code})` });
    }
    open.span.end();
  }

  released(record: KafkaRecord): void {
    this.#sourceTs.delete(record);
    const open = this.#open.get(record);
    if (open === undefined) return;
    this.#open.delete(record);
    open.span.setAttribute("cdc.released", true);
    open.span.end();
  }

  within(record: KafkaRecord, work: () => unknown): unknown {
    const open = this.#open.get(record);
    return open === undefined ? work() : context.with(open.ctx, work);
  }

  /** Ends what is still open (a fatal stop leaves records without an outcome), so nothing leaks. */
  close(): void {
    for (const { span } of this.#open.values()) {
      span.setAttribute("cdc.unfinished", true);
      span.end();
    }
    this.#open.clear();
    this.#sourceTs.clear();
  }
}

/** Commit spans and latency; the kafkajs error's type (e.g. REBALANCE_IN_PROGRESS) is its error.type. */
export function commitSpan(
  tracer: Tracer,
  groupId: string,
  points: readonly CommitPoint[],
  durationMs: number,
  err?: unknown,
): void {
  const end = Date.now();
  const span = tracer.startSpan(
    "commit",
    {
      kind: SpanKind.CLIENT,
      startTime: end - durationMs,
      attributes: {
        "messaging.system": "kafka",
        "messaging.operation.name": "commit",
        "messaging.operation.type": "settle",
        "messaging.consumer.group.name": groupId,
        "cdc.commit.offsets": points.map((p) => `${p.topic}/${p.partition}@${p.offset}`),
      },
    },
    ROOT_CONTEXT,
  );
  if (err !== undefined) {
    const type = (err as { type?: string; name?: string }).type ?? (err as { name?: string }).name ?? "Error";
    span.setAttribute("error.type", type);
    span.setStatus({ code: SpanStatusCode.ERROR, message: type });
  }
  span.end(end);
}

/**
 * The dead-letter publisher with a PRODUCER span and a counter around it; the publish itself is untouched.
 */
export function tracedDeadLetter(
  inner: DeadLetter,
  dlqTopic: string,
  tracer: Tracer,
  metrics: SinkMetrics,
  reporter: FailureReporter,
): DeadLetter {
  return {
    async publish(record, error, attempts) {
      const span = safely(
        reporter,
        "dlq span start",
        () =>
          tracer.startSpan(
            `${dlqTopic} publish`,
            {
              kind: SpanKind.PRODUCER,
              attributes: {
                "messaging.system": "kafka",
                "messaging.operation.name": "publish",
                "messaging.operation.type": "send",
                "messaging.destination.name": dlqTopic,
                "cdc.error.code": error.code,
                "cdc.error.class": error.errorClass,
              },
            },
            context.active(),
          ),
        undefined,
      );
      try {
        await inner.publish(record, error, attempts);
        safely(
          reporter,
          "dlq span end",
          () => (metrics.dlqPublish(dlqTopic, true, error.code), span?.end()),
          undefined,
        );
      } catch (err) {
        safely(
          reporter,
          "dlq span end",
          () => {
            metrics.dlqPublish(dlqTopic, false, error.code);
            span?.setStatus({
              code: SpanStatusCode.ERROR,
              message: (err as { name?: string }).name ?? "Error",
            });
            span?.end();
          },
          undefined,
        );
        throw err;
      }
    },
  };
}
