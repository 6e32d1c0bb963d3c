// Traces in a real backend: a producer span (this test, exporting to the stack's Jaeger v2) puts its
// W3C traceparent on CDC records; `cdc-sink run`, a real process with OTEL_EXPORTER_OTLP_ENDPOINT
// pointed at Jaeger, consumes them. Jaeger's HTTP query API (`/api/traces?service=...`, the API its
// web UI reads) must then hold each trace producer → `<topic> process` → `DynamoDB.PutItem` (or the
// DLQ `publish`), with the attributes docs/telemetry.md promises. Run with `npm run test:tracing`.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { SpanKind, context, defaultTextMapSetter, trace, type Span } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { Producer } from "kafkajs";
import { keyHash } from "../../src/telemetry/log.ts";
import { createTable } from "../support/dynamo.ts";
import { pgKey, pgValue } from "../support/debezium-records.ts";
import { createTopic } from "../support/kafka.ts";
import { connectedProducer, groupProgress } from "../support/kafka-progress.ts";
import { uniqueName } from "../support/names.ts";
import { spawnSink, waitConsuming } from "../support/sink-process.ts";
import { stackEndpoints, type Endpoints } from "../support/stack.ts";
import { waitFor } from "../support/wait.ts";
import { jaegerTraces, parentOf, tagsOf, type JaegerSpan, type JaegerTrace } from "./jaeger-api.ts";

let endpoints: Endpoints;
let jaeger: NonNullable<Endpoints["jaeger"]>;
let producer: Producer;
let provider: BasicTracerProvider;

const PRODUCER_SERVICE = uniqueName("cdc-test-producer");
const SINK_SERVICE = uniqueName("cdc-sink-jaeger");

before(async () => {
  endpoints = stackEndpoints();
  if (endpoints.jaeger === undefined)
    throw new Error("the stack has no Jaeger: run `npm run test:tracing` (or stack up --with-tracing)");
  jaeger = endpoints.jaeger;
  producer = await connectedProducer(endpoints.kafkaBrokers);
  provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": PRODUCER_SERVICE }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${jaeger.otlpHttp}/v1/traces` }))],
  });
});

after(async () => {
  await producer?.disconnect();
  await provider?.shutdown();
});

/** A PRODUCER span as an instrumented producer would make it, and the headers it injects. */
function producerSpan(topic: string): { span: Span; headers: Record<string, string> } {
  const span = provider.getTracer("cdc-test").startSpan(`${topic} publish`, {
    kind: SpanKind.PRODUCER,
    attributes: { "messaging.system": "kafka", "messaging.destination.name": topic },
  });
  const headers: Record<string, string> = {};
  new W3CTraceContextPropagator().inject(
    trace.setSpan(context.active(), span),
    headers,
    defaultTextMapSetter,
  );
  return { span, headers };
}

const spanNamed = (t: JaegerTrace, name: string): JaegerSpan | undefined =>
  t.spans.find((s) => s.operationName === name);

void test("a traced CDC record: producer → <topic> process → DynamoDB.PutItem in Jaeger, with the documented attributes", async () => {
  const topic = uniqueName("jaeger");
  const dlq = uniqueName("jaeger_dlq");
  const table = uniqueName("jaeger_tbl");
  await createTopic(endpoints.kafkaBrokers, topic, 1);
  await createTopic(endpoints.kafkaBrokers, dlq, 1);
  await createTable(endpoints.dynamodbEndpoint, table);
  const group = uniqueName("g");

  const sink = spawnSink(endpoints, {
    KAFKA_TOPICS: topic,
    KAFKA_GROUP_ID: group,
    DYNAMODB_TABLE: table,
    DLQ_TOPIC: dlq,
    WRITE_MODE: "put",
    OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttp,
    OTEL_SERVICE_NAME: SINK_SERVICE,
    // Jaeger takes traces only; its OTLP receiver has no metrics or logs pipeline.
    OTEL_METRICS_EXPORTER: "none",
    OTEL_LOGS_EXPORTER: "none",
    OTEL_BSP_SCHEDULE_DELAY: "200",
  });
  const applied = producerSpan(topic);
  const replay = producerSpan(topic);
  const poison = producerSpan(topic);
  const change = pgValue({ op: "c", id: 7, lsn: 70, row: { name: "seven" } });
  try {
    await waitConsuming(sink);
    // One record at a time, each committed before the next is sent: the replay then meets the stored
    // item (a DynamoDB call refused by the condition) instead of being coalesced within one batch.
    let sent = 0;
    for (const [value, traced, key] of [
      [change, applied, pgKey(7)],
      [change, replay, pgKey(7)],
      [Buffer.from("{not json"), poison, pgKey(8)],
    ] as const) {
      await producer.send({ topic, acks: -1, messages: [{ key, value, headers: traced.headers }] });
      // As an instrumented producer does: its span ends when the broker acknowledged the send.
      traced.span.end();
      sent += 1;
      await waitFor(
        async () => (await groupProgress(endpoints.kafkaBrokers, group, topic)).get(0)?.[0] === BigInt(sent),
        { timeoutMs: 60_000, message: `record ${sent} not committed:\n${sink.output().slice(-3000)}` },
      );
    }
  } finally {
    sink.child.kill("SIGTERM");
  }
  assert.equal((await sink.exited).code, 0, sink.output().slice(-3000));
  await provider.forceFlush();

  // Spans reach storage through Jaeger's batch processor: poll the query API for all three traces.
  const wanted = [applied, replay, poison].map((p) => p.span.spanContext().traceId);
  const traces = await waitFor(
    async () => {
      const found = await jaegerTraces(jaeger.queryUrl, SINK_SERVICE);
      const complete = wanted.map((id) => found.find((t) => t.traceID === id));
      const ready =
        complete[0] !== undefined &&
        spanNamed(complete[0], "DynamoDB.PutItem") !== undefined &&
        spanNamed(complete[0], `${topic} publish`) !== undefined &&
        complete[1] !== undefined &&
        spanNamed(complete[1], "DynamoDB.PutItem") !== undefined &&
        complete[2] !== undefined &&
        spanNamed(complete[2], `${dlq} publish`) !== undefined;
      return ready ? (complete as JaegerTrace[]) : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 500, message: "the traces did not appear in Jaeger's query API" },
  );
  const [appliedTrace, replayTrace, poisonTrace] = traces as [JaegerTrace, JaegerTrace, JaegerTrace];

  // producer → process → PutItem, one trace across two services.
  const producerOf = spanNamed(appliedTrace, `${topic} publish`)!;
  const process = spanNamed(appliedTrace, `${topic} process`)!;
  const put = spanNamed(appliedTrace, "DynamoDB.PutItem")!;
  assert.equal(producerOf.spanID, applied.span.spanContext().spanId);
  assert.equal(appliedTrace.processes[producerOf.processID]?.serviceName, PRODUCER_SERVICE);
  assert.equal(appliedTrace.processes[process.processID]?.serviceName, SINK_SERVICE);
  assert.equal(parentOf(process), producerOf.spanID, "the producer's span is the process span's parent");
  assert.equal(parentOf(put), process.spanID, "the DynamoDB call is a child of the process span");

  const p = tagsOf(process);
  assert.deepEqual(
    {
      kind: p["span.kind"],
      system: p["messaging.system"],
      operation: p["messaging.operation.name"],
      destination: p["messaging.destination.name"],
      partition: p["messaging.destination.partition.id"],
      offset: p["messaging.kafka.offset"],
      group: p["messaging.consumer.group.name"],
      key: p["messaging.kafka.message.key"],
      source: p["cdc.source"],
      op: p["cdc.op"],
      outcome: p["cdc.outcome"],
      error: p["error"],
    },
    {
      kind: "consumer",
      system: "kafka",
      operation: "process",
      destination: topic,
      partition: "0",
      offset: 0,
      group,
      key: keyHash(pgKey(7)),
      source: "pg.app.public.customers",
      op: "c",
      outcome: "applied",
      error: undefined,
    },
  );
  assert.match(String(p["cdc.version"]), /^pg:0000:/);
  const d = tagsOf(put);
  assert.deepEqual(
    [d["span.kind"], d["rpc.system"], d["rpc.service"], d["rpc.method"], d["db.system"]],
    ["client", "aws-api", "DynamoDB", "PutItem", "dynamodb"],
  );
  assert.match(String(d["aws.dynamodb.table_names"]), new RegExp(table));
  assert.equal(d["http.response.status_code"], 200);

  // The replay: `duplicate`, a success; its PutItem refused by the version condition, not an error.
  const replayProcess = spanNamed(replayTrace, `${topic} process`)!;
  const replayPut = spanNamed(replayTrace, "DynamoDB.PutItem")!;
  assert.equal(parentOf(replayProcess), replay.span.spanContext().spanId);
  assert.equal(tagsOf(replayProcess)["cdc.outcome"], "duplicate");
  assert.equal(tagsOf(replayProcess)["error"], undefined);
  assert.equal(tagsOf(replayPut)["cdc.condition_failed"], true);
  assert.equal(tagsOf(replayPut)["error"], undefined);

  // The poison record: dead_lettered, an error of the record, with the DLQ publish as its child.
  const poisonProcess = spanNamed(poisonTrace, `${topic} process`)!;
  const publish = spanNamed(poisonTrace, `${dlq} publish`)!;
  const q = tagsOf(poisonProcess);
  assert.deepEqual(
    [q["cdc.outcome"], q["error.type"], q["otel.status_code"]],
    ["dead_lettered", "undecodable", "ERROR"],
  );
  assert.equal(parentOf(publish), poisonProcess.spanID);
  assert.deepEqual(
    [tagsOf(publish)["span.kind"], tagsOf(publish)["messaging.operation.name"]],
    ["producer", "publish"],
  );
  assert.equal(
    poisonTrace.spans.filter((s) => s.operationName === "DynamoDB.PutItem").length,
    0,
    "a poison record is never written",
  );
});
