// The dead-letter topic on the real broker, through `cdc-sink run`: a DLQ the sink would consume
// itself is refused, and a poison record larger than the DLQ topic's max.message.bytes still lands
// there (value left out, its position in the headers) instead of stopping the service.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Producer } from "kafkajs";
import { stackEndpoints, type Endpoints } from "../../../support/stack.ts";
import { createTopic, createTopicsAndWait, withAdmin } from "../../../support/kafka.ts";
import { uniqueName } from "../../../support/names.ts";
import { waitFor } from "../../../support/wait.ts";
import { createTable, scanTable } from "../../../support/dynamo.ts";
import { caughtUp, connectedProducer, readTopic } from "../../../support/kafka-progress.ts";
import { spawnSink, waitConsuming, type SinkProcess } from "../../../support/sink-process.ts";
import { pgKey, pgValue } from "../../../support/debezium-records.ts";

let endpoints: Endpoints;
let producer: Producer;
const running = new Set<SinkProcess>();

before(async () => {
  endpoints = stackEndpoints();
  producer = await connectedProducer(endpoints.kafkaBrokers);
});
after(async () => {
  for (const p of running) p.child.kill("SIGKILL");
  await producer.disconnect();
});

function start(env: Record<string, string>): SinkProcess {
  const p = spawnSink(endpoints, env);
  running.add(p);
  void p.exited.then(() => running.delete(p));
  return p;
}

test("a DLQ topic matched by KAFKA_TOPIC_PATTERN is refused at start-up: exit 2, both named", async () => {
  const prefix = uniqueName("pg");
  const dlq = `${prefix}.dlq`;
  await createTopic(endpoints.kafkaBrokers, `${prefix}.public.t`, 1);
  await createTopic(endpoints.kafkaBrokers, dlq, 1);
  const table = uniqueName("tbl");
  await createTable(endpoints.dynamodbEndpoint, table);
  const p = start({
    KAFKA_TOPIC_PATTERN: `^${prefix}\\.`,
    DLQ_TOPIC: dlq,
    KAFKA_GROUP_ID: uniqueName("g"),
    DYNAMODB_TABLE: table,
  });
  const { code } = await p.exited;
  assert.equal(code, 2, p.output());
  assert.match(p.output(), new RegExp(`DLQ_TOPIC ${dlq} matches KAFKA_TOPIC_PATTERN`));
  assert.match(p.output(), /its own dead letters/);
});

test("a poison record over the DLQ's max.message.bytes is dead-lettered without its value", async () => {
  const topic = uniqueName("cdc");
  const dlq = uniqueName("dlq");
  const table = uniqueName("tbl");
  await createTopic(endpoints.kafkaBrokers, topic, 1);
  await withAdmin(endpoints.kafkaBrokers, (admin) =>
    createTopicsAndWait(admin, [
      {
        topic: dlq,
        numPartitions: 1,
        replicationFactor: 1,
        configEntries: [{ name: "max.message.bytes", value: "4096" }],
      },
    ]),
  );
  await createTable(endpoints.dynamodbEndpoint, table);
  // Not JSON, 20 kB: poison, and five times what the DLQ topic accepts. The canary must reach no header.
  const poison = Buffer.from(`not json canary-5be1 ${"x".repeat(20_000)}`);
  await producer.send({
    topic,
    acks: -1,
    messages: [
      { key: pgKey(1), value: pgValue({ op: "c", id: 1, lsn: 101 }) },
      { key: pgKey(2), value: poison, headers: { traceparent: "00-abc-def-01" } },
      { key: pgKey(3), value: pgValue({ op: "c", id: 3, lsn: 103 }) },
    ],
  });
  const group = uniqueName("g");
  const p = start({ KAFKA_TOPICS: topic, DLQ_TOPIC: dlq, KAFKA_GROUP_ID: group, DYNAMODB_TABLE: table });
  await waitConsuming(p);
  await waitFor(
    async () => {
      if (p.child.exitCode !== null) throw new Error(`the sink exited ${p.child.exitCode}`);
      return caughtUp(endpoints.kafkaBrokers, group, topic);
    },
    { timeoutMs: 60_000, message: `no commit past the poison record:\n${p.output().slice(-3000)}` },
  );
  const ends = await withAdmin(endpoints.kafkaBrokers, (admin) => admin.fetchTopicOffsets(dlq));
  assert.deepEqual(
    ends.map((e) => e.high),
    ["1"],
    "exactly one dead letter",
  );
  const [letter] = await readTopic(endpoints.kafkaBrokers, dlq, 1);
  assert.ok(letter !== undefined, "the dead letter is readable");
  assert.deepEqual(letter.key, pgKey(2));
  // Empty, not null: a null value would be a Kafka tombstone on a compacted DLQ topic.
  assert.equal(letter.value?.length, 0);
  assert.equal(letter.headers["__connect.errors.topic"], topic);
  assert.equal(letter.headers["__connect.errors.partition"], "0");
  assert.equal(letter.headers["__connect.errors.offset"], "1");
  assert.equal(letter.headers["cdc.error.code"], "undecodable");
  assert.equal(letter.headers["cdc.value.omitted"], "message_too_large");
  assert.equal(letter.headers["cdc.value.bytes"], String(poison.length));
  assert.equal(letter.headers["traceparent"], "00-abc-def-01");
  for (const [name, value] of Object.entries(letter.headers))
    assert.ok(!/canary|not json c/.test(value), `header ${name} holds row bytes: ${value}`);
  const items = await scanTable(endpoints.dynamodbEndpoint, table);
  assert.equal(items.size, 2, "the good records on either side were written");
  p.child.kill("SIGTERM");
  assert.equal((await p.exited).code, 0, p.output());
});
