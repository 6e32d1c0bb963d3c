// Turns a Telemetry (otel.ts) into the hooks the service's parts take: the processor's record
// observer, the Kafka source's listener, the dead-letter decorator, the DynamoDB middleware and the
// gauges. Every hook is guarded here (guard.ts): whatever the SDK or an exporter does, a record's
// processing and outcome are the same as with no telemetry at all.

import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { RecordObserver } from "../engine/ports.ts";
import type { DeadLetter } from "../engine/ports.ts";
import type { SourceListener } from "../adapters/kafka/source.ts";
import type { Stats } from "../engine/stats.ts";
import type { Log } from "./log.ts";
import type { Telemetry } from "./telemetry.ts";
import { instrumentDynamo, type DynamoCallObserver } from "./aws.ts";
import { FailureReporter, guard, safely } from "../engine/guard.ts";
import { SinkMetrics, type ServiceGauges } from "./metrics.ts";
import { RecordTracer, commitSpan, tracedDeadLetter } from "./record-tracer.ts";

export type ServiceTelemetry = {
  readonly observer: RecordObserver;
  readonly sourceListener: SourceListener;
  deadLetter(inner: DeadLetter, dlqTopic: string): DeadLetter;
  /** Instruments the client's SDK calls; returns the observer for its direct writes (none: no metrics). */
  dynamo(client: DynamoDBClient): DynamoCallObserver | undefined;
  observe(stats: Stats, gauges: ServiceGauges): void;
  metricsText(): Promise<string>;
  /** Ends spans still open, then flushes and stops the exporters (bounded, never throws). */
  close(): Promise<void>;
};

export function instrumentService(telemetry: Telemetry, log: Log, groupId: string): ServiceTelemetry {
  const reporter = new FailureReporter(log, "telemetry");
  const { tracer, keyMode } = telemetry;
  const tracing = telemetry.tracing !== false;
  const metrics = safely(reporter, "metrics", () => new SinkMetrics(telemetry.meter), undefined);
  const safeMetrics = metrics === undefined ? undefined : guard(metrics, reporter);
  const records =
    safeMetrics === undefined
      ? undefined
      : new RecordTracer({ tracer, metrics: safeMetrics, groupId, keyMode, tracing });
  const source: SourceListener = {
    onCommit(points, durationMs) {
      safeMetrics?.committed(points);
      safeMetrics?.commit(durationMs / 1000, true);
      commitSpan(tracer, groupId, points, durationMs);
    },
    onCommitError(points, durationMs, err) {
      safeMetrics?.commit(durationMs / 1000, false);
      commitSpan(tracer, groupId, points, durationMs, err);
    },
    onRebalance() {
      safeMetrics?.rebalance();
    },
    onBatch(topic, partition, highWatermark, firstOffset) {
      safeMetrics?.fetched(topic, partition, highWatermark, firstOffset);
    },
  };
  return {
    observer: records === undefined ? {} : guard(records, reporter),
    sourceListener: guard(source, reporter),
    deadLetter: (inner, dlqTopic) =>
      safeMetrics === undefined ? inner : tracedDeadLetter(inner, dlqTopic, tracer, safeMetrics, reporter),
    dynamo: (client) =>
      safeMetrics === undefined
        ? undefined
        : safely(
            reporter,
            "dynamodb middleware",
            () => instrumentDynamo(client, tracing ? tracer : undefined, safeMetrics, reporter),
            undefined,
          ),
    observe: (stats, gauges) => {
      const g = guard(gauges, reporter);
      safely(
        reporter,
        "gauges",
        () =>
          metrics?.observe(stats, {
            inFlight: () => g.inFlight() ?? 0,
            limit: () => g.limit() ?? 0,
            buffered: () => g.buffered() ?? 0,
            pausedPartitions: () => g.pausedPartitions() ?? 0,
            ready: () => g.ready() ?? false,
            breakerOpen: () => g.breakerOpen?.() ?? false,
            rebalanceStorm: () => g.rebalanceStorm?.() ?? false,
          }),
        undefined,
      );
    },
    metricsText: () => telemetry.metricsText(),
    close: async () => {
      safely(reporter, "close spans", () => records?.close(), undefined);
      await telemetry.shutdown().catch((err: unknown) => reporter.report("shutdown", err));
    },
  };
}
