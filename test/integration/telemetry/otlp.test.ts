// What the service exports over OTLP during a real run on the stack (Kafka + dynoxide), read
// by an in-process OTLP/HTTP JSON receiver: the producer → process → DynamoDB span tree, outcomes on
// spans and in metrics, trace ids on log lines, and no secret anywhere.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { PassThrough } from "node:stream";
import { after, before, test } from "node:test";
import type { Producer } from "kafkajs";
import { loadConfig } from "../../../src/config/config.ts";
import { finished } from "../../../src/engine/stats.ts";
import { TransientError } from "../../../src/core/errors.ts";
import { startService } from "../../../src/app/service.ts";
import type { SinkHooks } from "../../../src/adapters/dynamodb/put-sink.ts";
import { createLog, keyHash } from "../../../src/telemetry/log.ts";
import { startTelemetry } from "../../../src/telemetry/otel.ts";
import { stackEndpoints, type Endpoints } from "../../support/stack.ts";
import { createTopic } from "../../support/kafka.ts";
import { uniqueName } from "../../support/names.ts";
import { waitFor } from "../../support/wait.ts";
import { createTable } from "../../support/dynamo.ts";
import { connectedProducer } from "../../support/kafka-progress.ts";
import { pgKey, pgValue } from "../../support/debezium-records.ts";
import { sinkEnv } from "../../support/sink-process.ts";
import {
  SPAN_KIND,
  STATUS_ERROR,
  attrs,
  startOtlpReceiver,
  type OtlpMetric,
  type OtlpSpan,
} from "../../support/otlp-receiver.ts";

const HEADER_CANARY = `hdr-canary-${randomBytes(6).toString("hex")}`;
const AWS_CANARY = `aws-canary-${randomBytes(6).toString("hex")}`;
const SASL_CANARY = `sasl-canary-${randomBytes(6).toString("hex")}`;

let endpoints: Endpoints;
let producer: Producer;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;

before(async () => {
  endpoints = stackEndpoints();
  producer = await connectedProducer(endpoints.kafkaBrokers);
  receiver = await startOtlpReceiver();
  // The OpenTelemetry SDK reads the standard variables from the process environment (this test
  // file runs in a process of its own).
  Object.assign(process.env, {
    OTEL_SERVICE_NAME: "cdc-sink-otlp-test",
    OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=test",
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_EXPORTER_OTLP_HEADERS: `x-cdc-canary=${HEADER_CANARY}`,
    OTEL_METRIC_EXPORT_INTERVAL: "1000",
    OTEL_BSP_SCHEDULE_DELAY: "200",
    OTEL_BLRP_SCHEDULE_DELAY: "200",
  });
});
after(async () => {
  await producer.disconnect();
  await receiver.close();
});

async function startTraced(env: Record<string, string>, sinkHooks: SinkHooks = {}) {
  // WRITE_MODE=put: one PutItem per record, so every written record has its own DynamoDB child span.
  const result = loadConfig(sinkEnv(endpoints, { LOG_LEVEL: "info", WRITE_MODE: "put", ...env }), (p) =>
    readFileSync(p, "utf8"),
  );
  if (!result.ok) throw new Error(result.errors.join("\n"));
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const log = createLog(result.config.service.logLevel, stream);
  const telemetry = await startTelemetry(process.env, log);
  const logs = () => text;
  try {
    const service = await startService({
      config: result.config,
      log,
      credentials: { accessKeyId: "local", secretAccessKey: AWS_CANARY },
      sinkHooks,
      telemetry,
    });
    return Object.assign(service, { logs });
  } catch (err) {
    throw Object.assign(err as Error, { logs });
  }
}

const traceparent = () => {
  const traceId = randomBytes(16).toString("hex");
  const spanId = randomBytes(8).toString("hex");
  return { traceId, spanId, header: `00-${traceId}-${spanId}-01` };
};

function sumBy(metrics: OtlpMetric[], name: string, key: string): Map<unknown, number> {
  const out = new Map<unknown, number>();
  for (const p of metrics.find((m) => m.name === name)?.sum?.dataPoints ?? []) {
    const k = attrs(p.attributes)[key];
    out.set(k, (out.get(k) ?? 0) + Number(p.asInt ?? p.asDouble ?? 0));
  }
  return out;
}

test(
  "a traced run: producer → process → DynamoDB spans, outcomes, metrics equal to the counts, trace " +
    "ids in logs, no secret",
  async () => {
    const topic = uniqueName("otel");
    const dlq = uniqueName("otel_dlq");
    const table = uniqueName("otel_tbl");
    await createTopic(endpoints.kafkaBrokers, topic, 1);
    await createTopic(endpoints.kafkaBrokers, dlq, 1);
    await createTable(endpoints.dynamodbEndpoint, table);
    const group = uniqueName("g");
    let throttledOnce = false;
    const sink = await startTraced(
      { KAFKA_TOPICS: topic, KAFKA_GROUP_ID: group, DYNAMODB_TABLE: table, DLQ_TOPIC: dlq },
      {
        beforeSend: (event) => {
          if (event.id === "[2]" && !throttledOnce) {
            throttledOnce = true;
            throw new TransientError("dynamodb_ThrottlingException", "injected throttle");
          }
        },
      },
    );
    const a = traceparent();
    const poison = traceparent();
    const replay = traceparent();
    const one = pgValue({ op: "c", id: 1, lsn: 10, row: { name: "one" } });
    let scraped: string | undefined;
    try {
      await producer.send({
        topic,
        acks: -1,
        messages: [
          { key: pgKey(1), value: one, headers: { traceparent: a.header } },
          { key: pgKey(2), value: pgValue({ op: "c", id: 2, lsn: 20 }) },
          { key: pgKey(3), value: Buffer.from([0x7b, 0xff, 0x00]), headers: { traceparent: poison.header } },
        ],
      });
      await waitFor(() => finished(sink.stats.total) === 3, {
        timeoutMs: 60_000,
        message: "first records not finished",
      });
      // The same change again, alone in its batch: the conditional write answers `duplicate`.
      await producer.send({
        topic,
        acks: -1,
        messages: [{ key: pgKey(1), value: one, headers: { traceparent: replay.header } }],
      });
      await waitFor(() => finished(sink.stats.total) === 4, { message: "replay not finished" });
      // Two versions of one key in one batch: the older is coalesced to `stale` without a write.
      await producer.send({
        topic,
        acks: -1,
        messages: [pgValue({ op: "c", id: 4, lsn: 40 }), pgValue({ op: "u", id: 4, lsn: 41 })].map(
          (value) => ({
            key: pgKey(4),
            value,
          }),
        ),
      });
      await waitFor(() => finished(sink.stats.total) === 6, { message: "key 4 not finished" });
      scraped = await waitFor(
        async () => {
          const text = await (await fetch(`http://127.0.0.1:${sink.healthPort}/metrics`)).text();
          return /cdc_sink_consumer_lag\{[^}]*\} 0/.test(text) ? text : undefined;
        },
        { message: "lag not 0 on /metrics" },
      );
    } finally {
      assert.equal(await sink.stop("test done"), 0, sink.logs());
    }
    const t = sink.stats.total;
    assert.deepEqual(
      [t.applied, t.duplicate, t.stale, t.skipped, t.dead_lettered, t.retries],
      [3, 1, 1, 0, 1, 1],
      JSON.stringify(t),
    );

    // Spans: shutdown flushed them.
    const spans = receiver
      .spans()
      .filter(
        (s) =>
          attrs(s.attributes)["messaging.destination.name"] === topic ||
          s.name.startsWith("DynamoDB.") ||
          s.name === "commit" ||
          s.name === `${dlq} publish`,
      );
    const process = spans.filter((s) => s.name === `${topic} process`);
    assert.equal(process.length, 6, "one process span per record");
    const byTrace = (traceId: string) => process.find((s) => s.traceId === traceId)!;
    const childOf = (parent: OtlpSpan) =>
      spans.filter((s) => s.parentSpanId === parent.spanId && s.traceId === parent.traceId);

    const spanA = byTrace(a.traceId);
    assert.ok(spanA, "the producer's traceparent is the process span's parent");
    assert.equal(spanA.parentSpanId, a.spanId);
    assert.equal(spanA.kind, SPAN_KIND.consumer);
    assert.notEqual(spanA.status?.code, STATUS_ERROR);
    const attrsA = attrs(spanA.attributes);
    assert.deepEqual(
      {
        system: attrsA["messaging.system"],
        partition: attrsA["messaging.destination.partition.id"],
        offset: attrsA["messaging.kafka.offset"],
        group: attrsA["messaging.consumer.group.name"],
        key: attrsA["messaging.kafka.message.key"],
        source: attrsA["cdc.source"],
        op: attrsA["cdc.op"],
        outcome: attrsA["cdc.outcome"],
      },
      {
        system: "kafka",
        partition: "0",
        offset: 0,
        group,
        key: keyHash(pgKey(1)),
        source: "pg.app.public.customers",
        op: "c",
        outcome: "applied",
      },
    );
    assert.match(String(attrsA["cdc.version"]), /^pg:0000:/);
    const [putA] = childOf(spanA);
    assert.ok(putA, "the DynamoDB call is a child of the process span");
    assert.equal(putA.name, "DynamoDB.PutItem");
    assert.equal(putA.kind, SPAN_KIND.client);
    const putAttrs = attrs(putA.attributes);
    assert.deepEqual(
      [
        putAttrs["rpc.system"],
        putAttrs["rpc.service"],
        putAttrs["rpc.method"],
        putAttrs["aws.dynamodb.table_names"],
      ],
      ["aws-api", "DynamoDB", "PutItem", [table]],
    );

    const spanReplay = byTrace(replay.traceId);
    assert.equal(attrs(spanReplay.attributes)["cdc.outcome"], "duplicate");
    assert.notEqual(spanReplay.status?.code, STATUS_ERROR, "duplicate is a success");
    const [putReplay] = childOf(spanReplay);
    assert.equal(attrs(putReplay?.attributes)["cdc.condition_failed"], true);
    assert.notEqual(putReplay?.status?.code, STATUS_ERROR);

    const spanPoison = byTrace(poison.traceId);
    assert.equal(attrs(spanPoison.attributes)["cdc.outcome"], "dead_lettered");
    assert.equal(spanPoison.status?.code, STATUS_ERROR, "poison is an error of the record");
    assert.equal(attrs(spanPoison.attributes)["error.type"], "undecodable");
    const [publish] = childOf(spanPoison);
    assert.deepEqual([publish?.name, publish?.kind], [`${dlq} publish`, SPAN_KIND.producer]);

    const spanB = process.find((s) => attrs(s.attributes)["messaging.kafka.offset"] === 1)!;
    const retry = spanB.events?.find((e) => e.name === "retry");
    assert.equal(attrs(retry?.attributes)["error.type"], "dynamodb_ThrottlingException");
    assert.equal(attrs(spanB.attributes)["cdc.outcome"], "applied");

    const key4 = process.filter(
      (s) =>
        attrs(s.attributes)["messaging.kafka.offset"] === 4 ||
        attrs(s.attributes)["messaging.kafka.offset"] === 5,
    );
    const older = key4.find((s) => attrs(s.attributes)["messaging.kafka.offset"] === 4)!;
    assert.deepEqual(
      [attrs(older.attributes)["cdc.outcome"], attrs(older.attributes)["cdc.coalesced"]],
      ["stale", true],
    );
    assert.equal(childOf(older).length, 0, "a coalesced record has no DynamoDB call");
    assert.ok(
      spans.some(
        (s) => s.name === "commit" && attrs(s.attributes)["messaging.consumer.group.name"] === group,
      ),
    );

    // Metrics: the last OTLP export (at shutdown) holds the cumulative totals of the run.
    const last = receiver.metricExports().at(-1)!;
    const outcomes = sumBy(last, "cdc_sink.records", "cdc.outcome");
    for (const o of ["applied", "duplicate", "stale", "skipped", "dead_lettered"] as const)
      assert.equal(outcomes.get(o) ?? 0, t[o], `cdc_sink.records{${o}}`);
    assert.equal(
      sumBy(last, "cdc_sink.retries", "error.type").get("dynamodb_ThrottlingException"),
      t.retries,
    );
    assert.equal(sumBy(last, "cdc_sink.dlq.publishes", "cdc.dlq.result").get("ok"), 1);
    const writes = last.find((m) => m.name === "cdc_sink.write.duration")?.histogram?.dataPoints ?? [];
    // Writes only: the injected throttle fails before the client sends (beforeSend), and the
    // start-up DescribeTable/DescribeTimeToLive are not writes.
    assert.equal(
      writes.reduce((n, p) => n + Number(p.count), 0),
      4,
      "write latency: 3 applied + 1 duplicate",
    );
    assert.deepEqual([...new Set(writes.map((p) => attrs(p.attributes)["rpc.method"]))], ["PutItem"]);
    assert.ok(
      last.some((m) => m.name === "cdc_sink.freshness"),
      "freshness histogram exported",
    );
    assert.ok(last.some((m) => m.name === "cdc_sink.commit.duration"));
    assert.ok(last.some((m) => m.name === "cdc_sink.consumer.lag"));
    assert.match(scraped ?? "", new RegExp(`cdc_sink_records_total\\{[^}]*cdc_outcome="applied"[^}]*\\} 3`));
    assert.match(scraped ?? "", /# TYPE cdc_sink_write_duration histogram/);

    // Logs: the retry and dead-letter lines carry their record's trace.
    const lines = sink
      .logs()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const retryLine = lines.find((l) => String(l["msg"]).startsWith("transient error, retrying"));
    assert.deepEqual([retryLine?.["trace_id"], retryLine?.["span_id"]], [spanB.traceId, spanB.spanId]);
    const deadLine = lines.find((l) => String(l["msg"]).startsWith("dead-lettered"));
    assert.equal(deadLine?.["trace_id"], poison.traceId);
    const otlpRetry = receiver
      .logs()
      .find((l) => String(l.body?.stringValue).startsWith("transient error, retrying"));
    assert.deepEqual(
      [otlpRetry?.traceId, otlpRetry?.spanId],
      [spanB.traceId, spanB.spanId],
      "OTLP log records carry the trace too",
    );
    assert.ok(
      receiver
        .resourceAttributes("/v1/traces")
        .some((kv) => kv.key === "service.name" && kv.value.stringValue === "cdc-sink-otlp-test"),
    );

    // Secrets: the OTLP header canary was used (the receiver got it) and the AWS secret signed every
    // write, yet neither is in any log line, span, log record or metric.
    assert.ok(
      receiver.requests.some((r) => r.headers["x-cdc-canary"] === HEADER_CANARY),
      "the header canary was configured and sent",
    );
    assert.ok(
      lines.some((l) => l["msg"] === "telemetry: exporting with OpenTelemetry"),
      "the telemetry configuration is logged at start-up",
    );
    const exported = receiver.requests.map((r) => r.body).join("\n");
    for (const canary of [HEADER_CANARY, AWS_CANARY]) {
      assert.ok(!sink.logs().includes(canary), `${canary} in the logs`);
      assert.ok(!exported.includes(canary), `${canary} in exported telemetry`);
    }
  },
);

test(
  "SASL credentials that fail to connect: neither the error nor any log line or export holds the " +
    "password",
  async () => {
    const before = receiver.requests.length;
    const topic = uniqueName("otel_sasl");
    const table = uniqueName("otel_sasl_tbl");
    await createTable(endpoints.dynamodbEndpoint, table);
    const error = await startTraced({
      KAFKA_TOPICS: topic,
      KAFKA_GROUP_ID: uniqueName("g"),
      DYNAMODB_TABLE: table,
      KAFKA_SASL_MECHANISM: "plain",
      KAFKA_SASL_USERNAME: "cdc-sink",
      KAFKA_SASL_PASSWORD: SASL_CANARY,
    }).then(
      () => assert.fail("a SASL handshake against the plaintext listener cannot succeed"),
      (err: unknown) => err as Error & { logs: () => string },
    );
    assert.match(error.message, /SASL/, "the failure names its cause");
    const logs = error.logs();
    assert.ok(logs.length > 0, "the failure was logged");
    const exported = receiver.requests
      .slice(before)
      .map((r) => r.body)
      .join("\n");
    assert.ok(receiver.requests.length > before, "the start-up telemetry was flushed");
    for (const text of [error.message, String(error.stack), logs, exported])
      assert.ok(!text.includes(SASL_CANARY));
  },
);
