// POISON_POLICY and the formats through `cdc-sink run` on the real broker and store: per-topic
// routes choose `skip` or `dlq` over a service-wide `stop`, a flattened topic and a heartbeat topic
// share the run, and `stop` ends the service at the first poison record with nothing past it
// committed, even though a DLQ is configured (records after it may have been written: a
// restart meets them again and finds them duplicate).

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Producer } from "kafkajs";
import { stackEndpoints, type Endpoints } from "../../support/stack.ts";
import { createTopic } from "../../support/kafka.ts";
import { uniqueName } from "../../support/names.ts";
import { waitFor } from "../../support/wait.ts";
import { createTable, scanTable } from "../../support/dynamo.ts";
import { caughtUp, connectedProducer, groupProgress, readTopic } from "../../support/kafka-progress.ts";
import { spawnSink, waitConsuming, type SinkProcess } from "../../support/sink-process.ts";
import { pgKey, pgValue } from "../../support/debezium-records.ts";

let endpoints: Endpoints;
let producer: Producer;
let dir: string;
const sinks: SinkProcess[] = [];

before(async () => {
  endpoints = stackEndpoints();
  producer = await connectedProducer(endpoints.kafkaBrokers);
  dir = mkdtempSync(join(tmpdir(), "cdc-poison-"));
});
after(async () => {
  for (const s of sinks) s.child.kill("SIGKILL");
  await producer.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

const poison = { key: pgKey(2), value: Buffer.from("{not json") };
const good = (id: number) => ({ key: pgKey(id), value: pgValue({ op: "c", id, lsn: 10 + id }) });
const flat = (id: number, lsn: number) => ({
  key: pgKey(id),
  value: Buffer.from(JSON.stringify({ id, name: `n${id}`, __op: "c", __lsn: lsn, __deleted: "false" })),
});

test("routes: skip on one topic, dlq on another, flattened and heartbeat topics alongside", async () => {
  const name = uniqueName("pp");
  const [skipT, dlqT, flatT, hbT] = ["skip", "dlq", "flat"]
    .map((s) => `${name}.${s}`)
    .concat(`__debezium-heartbeat.${name}`);
  const dlq = `${name}-dlq`;
  const table = uniqueName("tbl");
  const group = uniqueName("g");
  for (const t of [skipT!, dlqT!, flatT!, hbT!, dlq]) await createTopic(endpoints.kafkaBrokers, t, 1);
  await createTable(endpoints.dynamodbEndpoint, table);
  await producer.send({ topic: skipT!, acks: -1, messages: [good(1), poison, good(3)] });
  await producer.send({ topic: dlqT!, acks: -1, messages: [good(1), poison, good(3)] });
  await producer.send({ topic: flatT!, acks: -1, messages: [flat(1, 100), flat(2, 200), poison] });
  const beat = { key: Buffer.from(JSON.stringify({ serverName: name })), value: Buffer.from('{"ts_ms":1}') };
  await producer.send({ topic: hbT!, acks: -1, messages: [beat, beat, beat] });
  const routes = join(dir, "routes.json");
  writeFileSync(
    routes,
    JSON.stringify([
      { topic: skipT, poisonPolicy: "skip", sourceName: "skip" },
      { topic: dlqT, poisonPolicy: "dlq", sourceName: "dlq" },
      { topic: flatT, format: "flattened", poisonPolicy: "skip", sourceName: "flat" },
    ]),
  );
  const sink = spawnSink(endpoints, {
    KAFKA_TOPIC_PATTERN: `^(${name.replace(/[.-]/g, "\\$&")}\\.|__debezium-heartbeat\\.${name})`,
    KAFKA_GROUP_ID: group,
    DYNAMODB_TABLE: table,
    DLQ_TOPIC: dlq,
    POISON_POLICY: "stop",
    ROUTES_FILE: routes,
    KAFKA_METADATA_MAX_AGE_MS: "2000",
  });
  sinks.push(sink);
  await waitConsuming(sink);
  for (const t of [skipT!, dlqT!, flatT!, hbT!])
    await waitFor(() => caughtUp(endpoints.kafkaBrokers, group, t), {
      timeoutMs: 120_000,
      message: `${t} not caught up:\n${sink.output().slice(-3000)}`,
    });
  const dead = await readTopic(endpoints.kafkaBrokers, dlq, 1);
  assert.deepEqual(
    dead.map((d) => [
      d.headers["__connect.errors.topic"],
      d.headers["__connect.errors.offset"],
      d.headers["cdc.error.code"],
    ]),
    [[dlqT, "1", "undecodable"]],
  );
  const items = await scanTable(endpoints.dynamodbEndpoint, table);
  assert.deepEqual([...items.keys()].sort(), [
    "dlq:[1]",
    "dlq:[3]",
    "flat:[1]",
    "flat:[2]",
    "skip:[1]",
    "skip:[3]",
  ]);
  assert.equal(items.get("flat:[2]")?.["name"]?.S, "n2");
  assert.equal(items.get("flat:[2]")?.["__lsn"], undefined, "metadata fields are not columns");
  const skippedLines = sink
    .output()
    .split("\n")
    .filter((l) => l.includes("poison record skipped"))
    .map((l) => JSON.parse(l) as { topic: string; partition: number; offset: string; code: string });
  assert.deepEqual(skippedLines.map((l) => [l.topic, l.partition, l.offset, l.code]).sort(), [
    [flatT, 0, "2", "undecodable"],
    [skipT, 0, "1", "undecodable"],
  ]);
  sink.child.kill("SIGTERM");
  assert.equal((await sink.exited).code, 0, sink.output().slice(-3000));
  const stopped = sink
    .output()
    .split("\n")
    .find((l) => l.includes('"msg":"stopped:'));
  const line = JSON.parse(stopped!) as { counts: Record<string, number>; skipped: Record<string, number> };
  assert.equal(line.counts["consumed"], 12);
  assert.equal(line.counts["applied"], 6);
  assert.equal(line.counts["dead_lettered"], 1);
  assert.equal(line.counts["skipped"], 5);
  assert.deepEqual(line.skipped, { poison: 2, heartbeat: 3 });
});

test("stop: exit 4 at the poison record, nothing past it committed, nothing dead-lettered", async () => {
  const topic = uniqueName("stop");
  const dlq = `${topic}-dlq`;
  const table = uniqueName("tbl");
  const group = uniqueName("g");
  await createTopic(endpoints.kafkaBrokers, topic, 1);
  await createTopic(endpoints.kafkaBrokers, dlq, 1);
  await createTable(endpoints.dynamodbEndpoint, table);
  await producer.send({ topic, acks: -1, messages: [good(1), poison, good(3)] });
  const sink = spawnSink(endpoints, {
    KAFKA_TOPICS: topic,
    KAFKA_GROUP_ID: group,
    DYNAMODB_TABLE: table,
    DLQ_TOPIC: dlq,
    POISON_POLICY: "stop",
  });
  sinks.push(sink);
  const { code } = await sink.exited;
  assert.equal(code, 4, sink.output().slice(-3000));
  assert.match(sink.output(), /"code":"poison_stop"/);
  assert.match(sink.output(), new RegExp(`poison record at ${topic}/0@1 \\(undecodable\\)`));
  const progress = await groupProgress(endpoints.kafkaBrokers, group, topic);
  assert.ok(
    (progress.get(0)?.[0] ?? -1n) <= 1n,
    `committed ${progress.get(0)?.[0]}: not past the poison record`,
  );
  const dlqEnd = await groupProgress(endpoints.kafkaBrokers, group, dlq);
  assert.equal(dlqEnd.get(0)?.[1], 0n, "nothing was dead-lettered");
});
