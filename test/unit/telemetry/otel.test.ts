// Telemetry without the stack: when OpenTelemetry is on, the key modes of the process span, the
// trace ids on log lines, and the Prometheus names every instrument gets on /metrics.

import assert from "node:assert/strict";
import { test } from "node:test";
import { ROOT_CONTEXT, context, trace } from "@opentelemetry/api";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { ExitCode, FatalError, TransientError } from "../../../src/core/errors.ts";
import { Stats } from "../../../src/engine/stats.ts";
import { createLog, keyHash } from "../../../src/telemetry/log.ts";
import { instrumentService } from "../../../src/telemetry/instrument.ts";
import {
  keyModeFrom,
  localTelemetry,
  startTelemetry,
  telemetryConfigured,
} from "../../../src/telemetry/otel.ts";
import { RecordTracer, type KeyMode } from "../../../src/telemetry/record-tracer.ts";
import { SinkMetrics } from "../../../src/telemetry/metrics.ts";
import { pgRecord } from "../../support/debezium-records.ts";
import type { ChangeEvent } from "../../../src/core/types.ts";

function capture(level = "info") {
  let text = "";
  const log = createLog(level, {
    write: (chunk: string) => ((text += chunk), true),
  } as unknown as NodeJS.WritableStream);
  return {
    log,
    lines: () =>
      text
        .trim()
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

test("OpenTelemetry is on only when an OTLP endpoint or an exporter is named, and not disabled", () => {
  assert.equal(telemetryConfigured({}), false);
  assert.equal(
    telemetryConfigured({
      OTEL_SERVICE_NAME: "x",
      OTEL_RESOURCE_ATTRIBUTES: "a=b",
      OTEL_TRACES_SAMPLER: "always_on",
    }),
    false,
  );
  assert.equal(telemetryConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }), true);
  assert.equal(
    telemetryConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" }),
    true,
  );
  assert.equal(telemetryConfigured({ OTEL_TRACES_EXPORTER: "console" }), true);
  assert.equal(telemetryConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: " " }), false);
  assert.equal(
    telemetryConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_SDK_DISABLED: "true" }),
    false,
  );
});

test("OTEL_CDC_KEY_MODE: hash by default, raw or none; anything else is bad configuration", () => {
  assert.equal(keyModeFrom({}), "hash");
  assert.equal(keyModeFrom({ OTEL_CDC_KEY_MODE: "" }), "hash");
  assert.equal(keyModeFrom({ OTEL_CDC_KEY_MODE: "raw" }), "raw");
  assert.equal(keyModeFrom({ OTEL_CDC_KEY_MODE: "none" }), "none");
  assert.throws(
    () => keyModeFrom({ OTEL_CDC_KEY_MODE: "plain" }),
    (err: unknown) =>
      err instanceof FatalError &&
      err.exitCode === ExitCode.badConfig &&
      /OTEL_CDC_KEY_MODE/.test(err.message),
  );
});

test("nothing configured: no SDK is registered and spans record nothing, yet /metrics works", async () => {
  const { log } = capture();
  const telemetry = await startTelemetry({}, log);
  const span = telemetry.tracer.startSpan("x");
  assert.equal(span.isRecording(), false);
  span.end();
  assert.equal(trace.getTracer("probe").startSpan("y").isRecording(), false, "no global tracer provider");
  const t = instrumentService(telemetry, log, "g");
  t.observe(new Stats(), {
    inFlight: () => 2,
    limit: () => 8,
    buffered: () => 0,
    pausedPartitions: () => 0,
    ready: () => true,
  });
  assert.match(await t.metricsText(), /cdc_sink_writes_in_flight\{[^}]*\} 2/);
  await t.close();
});

function keyAttribute(mode: KeyMode): unknown {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = new RecordTracer({
    tracer: provider.getTracer("t"),
    metrics: new SinkMetrics(localTelemetry().meter),
    groupId: "g",
    keyMode: mode,
  });
  const record = pgRecord({ op: "c", id: 42, lsn: 1 }, 0);
  tracer.received(record);
  tracer.finished(record, "applied");
  return exporter.getFinishedSpans()[0]!.attributes["messaging.kafka.message.key"];
}

test("the Kafka key on spans: a hash by default, the text when raw, absent when none", () => {
  assert.equal(keyAttribute("hash"), keyHash(Buffer.from('{"id":42}')));
  assert.equal(keyAttribute("raw"), '{"id":42}');
  assert.equal(keyAttribute("none"), undefined);
});

test("a line logged with a span active carries trace_id and span_id; without one, neither", () => {
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  try {
    const { log, lines } = capture();
    const spanContext = {
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: 1,
    };
    context.with(trace.setSpanContext(ROOT_CONTEXT, spanContext), () => log.info("inside"));
    log.info("outside");
    const [inside, outside] = lines();
    assert.deepEqual(
      [inside?.["trace_id"], inside?.["span_id"], inside?.["trace_flags"]],
      [spanContext.traceId, spanContext.spanId, "01"],
    );
    assert.equal(outside?.["trace_id"], undefined);
  } finally {
    context.disable();
  }
});

// The Prometheus names of docs/telemetry.md and the Grafana dashboard.
const PROMETHEUS_NAMES = [
  "cdc_sink_records_total",
  "cdc_sink_records_consumed_total",
  "cdc_sink_records_skipped_total",
  "cdc_sink_records_released_total",
  "cdc_sink_retries_total",
  "cdc_sink_write_duration_bucket",
  "cdc_sink_commit_duration_bucket",
  "cdc_sink_consumer_lag",
  "cdc_sink_freshness_bucket",
  "cdc_sink_writes_in_flight",
  "cdc_sink_write_concurrency_limit",
  "cdc_sink_buffered_records",
  "cdc_sink_paused_partitions",
  "cdc_sink_ready",
  "cdc_sink_rebalances_total",
  "cdc_sink_dlq_publishes_total",
  "cdc_sink_truncate_items_total",
  "cdc_sink_consumed_write_units_total",
  "cdc_sink_circuit_breaker_open",
  "cdc_sink_rebalance_storm",
];

test("every instrument appears on /metrics under its documented Prometheus name", async () => {
  const { log } = capture();
  const telemetry = localTelemetry();
  const t = instrumentService(telemetry, log, "g");
  const stats = new Stats();
  stats.consumed("orders", 0);
  stats.outcome("orders", 0, "applied");
  stats.consumed("orders", 0, 2);
  stats.outcome("orders", 0, "skipped", 2);
  stats.skipReason("orders", 0, "heartbeat");
  stats.skipReason("orders", 0, "heartbeat");
  stats.truncated("orders", 0, 3);
  stats.writeUnits("applied", 1);
  stats.writeUnits("duplicate", 2.5);
  t.observe(stats, {
    inFlight: () => 1,
    limit: () => 64,
    buffered: () => 0,
    pausedPartitions: () => 0,
    ready: () => true,
    breakerOpen: () => true,
    rebalanceStorm: () => false,
  });
  const record = { ...pgRecord({ op: "c", id: 1, lsn: 1 }, 0), topic: "orders" };
  t.observer.received?.(record);
  t.observer.retrying?.(record, new TransientError("dynamodb_ThrottlingException", "x"), 1, 10);
  t.observer.finished?.(record, "applied");
  t.sourceListener.onBatch?.("orders", 0, "10", "0");
  t.sourceListener.onCommit?.([{ topic: "orders", partition: 0, offset: "10" }], 4);
  t.sourceListener.onRebalance?.();
  t.sourceListener.onBatch?.("orders", 0, "12", "10");
  await t
    .deadLetter({ publish: () => Promise.resolve() }, "orders.dlq")
    .publish(record, new TransientError("dlq_publish", "y"), 1);
  const metrics = new SinkMetrics(telemetry.meter);
  metrics.write(0.004, { "rpc.method": "PutItem", "cdc.write.result": "ok" });
  metrics.applied("orders", Date.now() - 1500, Date.now());
  const text = await t.metricsText();
  for (const name of PROMETHEUS_NAMES) assert.match(text, new RegExp(`^${name}[{ ]`, "m"), name);
  assert.match(text, /^cdc_sink_consumed_write_units_total\{[^}]*cdc_outcome="duplicate"[^}]*\} 2\.5$/m);
  assert.match(text, /^cdc_sink_circuit_breaker_open(\{[^}]*\})? 1$/m);
  assert.match(text, /^cdc_sink_rebalance_storm(\{[^}]*\})? 0$/m);
  assert.match(
    text,
    new RegExp(
      String.raw`^cdc_sink_records_skipped_total\{(?=[^}]*messaging_destination_name="orders")` +
        String.raw`(?=[^}]*cdc_skip_reason="heartbeat")[^}]*\} 2$`,
      "m",
    ),
  );
  assert.match(
    text,
    new RegExp(
      String.raw`^cdc_sink_records_total\{(?=[^}]*messaging_destination_name="orders")` +
        String.raw`(?=[^}]*messaging_destination_partition_id="0")(?=[^}]*cdc_outcome="applied")[^}]*\} 1$`,
      "m",
    ),
  );
  assert.match(
    text,
    /^cdc_sink_consumer_lag\{[^}]*\} 2$/m,
    "log end 12 − first fetched 10 after the rebalance",
  );
  await t.close();
});

test("without tracing (nothing configured): no spans are made, and the samples are the same as with", async () => {
  const { log } = capture();
  // The same calls on a service whose telemetry traces (its tracer records into memory) and on one
  // whose telemetry does not: /metrics must say the same.
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const traced = { ...localTelemetry(), tracer: provider.getTracer("t"), tracing: true };
  const texts: string[] = [];
  for (const telemetry of [traced, localTelemetry()]) {
    const t = instrumentService(telemetry, log, "g");
    const client = new DynamoDBClient({ region: "eu-west-1" });
    const call = t.dynamo(client)!;
    for (const [name, err] of [
      ["PutItem", undefined],
      ["PutItemCommand", undefined],
      ["PutItem", Object.assign(new Error("x"), { name: "ConditionalCheckFailedException" })],
      ["TransactWriteItems", new Error("boom")],
      ["DescribeTableCommand", undefined], // not a write: a span, no sample
    ] as const)
      call(name, { TableName: "items" })(err === undefined ? { $metadata: {} } : err, err);
    const sourceTsMs = Date.now() - 1500;
    const applied = { ...pgRecord({ op: "c", id: 1, lsn: 1 }, 0), topic: "orders" };
    const released = { ...pgRecord({ op: "c", id: 2, lsn: 2 }, 1), topic: "orders" };
    for (const r of [applied, released]) {
      t.observer.received?.(r);
      t.observer.decoded?.(r, { sourceTsMs } as ChangeEvent);
    }
    t.observer.finished?.(applied, "applied");
    t.observer.released?.(released);
    client.destroy();
    texts.push(
      (await t.metricsText())
        .split("\n")
        .filter((l) => /^cdc_sink_(write_duration|freshness)_count/.test(l))
        .join("\n"),
    );
    await t.close();
  }
  assert.ok(exporter.getFinishedSpans().length > 0, "the traced run made spans");
  const [withSpans, without] = texts as [string, string];
  assert.equal(without, withSpans);
  assert.match(
    without,
    /^cdc_sink_write_duration_count\{(?=[^}]*rpc_method="PutItem")(?=[^}]*cdc_write_result="ok")(?=[^}]*cdc_table="items")[^}]*\} 2$/m,
  );
  assert.match(without, /cdc_write_result="condition_failed"[^}]*\} 1$/m);
  assert.match(without, /cdc_write_result="error"[^}]*\} 1$/m);
  assert.doesNotMatch(without, /DescribeTable/);
  assert.match(without, /^cdc_sink_freshness_count\{[^}]*\} 1$/m, "the applied record only");
});
