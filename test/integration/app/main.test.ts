// The service as an OS process, through its CLI: crashes, signals, group membership changes and
// exit codes, on the real broker and the stack's DynamoDB (dynoxide).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Producer } from "kafkajs";
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { stackEndpoints, type Endpoints } from "../../support/stack.ts";
import { createTopic } from "../../support/kafka.ts";
import { uniqueName } from "../../support/names.ts";
import { waitFor } from "../../support/wait.ts";
import { createTable, dynamoClient, scanTable } from "../../support/dynamo.ts";
import { caughtUp, connectedProducer, groupProgress, readTopic } from "../../support/kafka-progress.ts";
import { assertClean, judge, pgItemKey } from "../../support/ledger.ts";
import { makeWorkload, produce } from "../../support/workload.ts";
import { spawnSink, waitConsuming, type SinkProcess } from "../../support/sink-process.ts";
import { pgKey, pgRecord } from "../../support/debezium-records.ts";

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

function start(env: Record<string, string>, args?: string[]): SinkProcess {
  const p = spawnSink(endpoints, env, args);
  running.add(p);
  void p.exited.then(() => running.delete(p));
  return p;
}

async function loadedTopic(keys: number, partitions = 4, seed = 5) {
  const topic = uniqueName("cdc");
  const table = uniqueName("tbl");
  await createTopic(endpoints.kafkaBrokers, topic, partitions);
  await createTable(endpoints.dynamodbEndpoint, table);
  const workload = makeWorkload({ keys, changesPerKey: 3, replays: 50, seed });
  await produce(producer, topic, workload.messages);
  return { topic, table, workload };
}

async function committedTotal(group: string, topic: string): Promise<bigint> {
  const p = await groupProgress(endpoints.kafkaBrokers, group, topic);
  return [...p.values()].reduce((n, [c]) => n + (c > 0n ? c : 0n), 0n);
}

test("SIGKILL mid-stream, then a restart: the table converges and nothing is lost", async () => {
  const { topic, table, workload } = await loadedTopic(2500);
  const env = {
    KAFKA_TOPICS: topic,
    KAFKA_GROUP_ID: uniqueName("g"),
    DYNAMODB_TABLE: table,
    MAX_BUFFERED_RECORDS: "500",
  };
  const first = start(env);
  await waitFor(async () => (await committedTotal(env.KAFKA_GROUP_ID, topic)) > 0n, {
    timeoutMs: 180_000,
    message: `no commit before the kill:\n${first.output()}`,
  });
  assert.ok(
    !(await caughtUp(endpoints.kafkaBrokers, env.KAFKA_GROUP_ID, topic)),
    "the kill must land mid-stream",
  );
  first.child.kill("SIGKILL");
  assert.equal((await first.exited).signal, "SIGKILL");
  const second = start(env);
  await waitConsuming(second);
  await waitFor(() => caughtUp(endpoints.kafkaBrokers, env.KAFKA_GROUP_ID, topic), {
    timeoutMs: 120_000,
    message: `no catch-up after restart:\n${second.output()}`,
  });
  second.child.kill("SIGTERM");
  assert.equal((await second.exited).code, 0, second.output());
  assertClean(judge(await scanTable(endpoints.dynamodbEndpoint, table), workload));
});

test("two consumer processes, one leaving and rejoining mid-run: converges with no loss", async () => {
  const { topic, table, workload } = await loadedTopic(3000, 6, 9);
  const env = {
    KAFKA_TOPICS: topic,
    KAFKA_GROUP_ID: uniqueName("g"),
    DYNAMODB_TABLE: table,
    MAX_BUFFERED_RECORDS: "300",
    MAX_IN_FLIGHT: "8",
  };
  const a = start(env);
  const b = start(env);
  await Promise.all([waitConsuming(a), waitConsuming(b)]);
  await waitFor(async () => (await committedTotal(env.KAFKA_GROUP_ID, topic)) > 0n, {
    timeoutMs: 180_000,
    message: "no progress",
  });
  b.child.kill("SIGTERM");
  assert.equal((await b.exited).code, 0, b.output());
  const b2 = start(env);
  await waitConsuming(b2);
  await waitFor(() => caughtUp(endpoints.kafkaBrokers, env.KAFKA_GROUP_ID, topic), {
    timeoutMs: 180_000,
    message: `no catch-up:\n${a.output()}\n${b2.output()}`,
  });
  for (const p of [a, b2]) p.child.kill("SIGTERM");
  for (const p of [a, b2]) assert.equal((await p.exited).code, 0, p.output());
  assertClean(judge(await scanTable(endpoints.dynamodbEndpoint, table), workload));
});

test("SIGTERM under load exits 0 within the deadline, and committed offsets cover only durable writes", async () => {
  const { topic, table } = await loadedTopic(3000, 4, 13);
  const env = {
    KAFKA_TOPICS: topic,
    KAFKA_GROUP_ID: uniqueName("g"),
    DYNAMODB_TABLE: table,
    SHUTDOWN_DEADLINE_MS: "10000",
    MAX_BUFFERED_RECORDS: "2000",
    LOG_LEVEL: "info",
  };
  const p = start(env);
  await waitFor(async () => (await committedTotal(env.KAFKA_GROUP_ID, topic)) > 0n, {
    timeoutMs: 180_000,
    message: "no progress",
  });
  const t0 = Date.now();
  p.child.kill("SIGTERM");
  const { code } = await p.exited;
  const took = Date.now() - t0;
  assert.equal(code, 0, p.output());
  // Within the deadline for the writes, plus the time the Helm chart's grace period adds for the
  // final commit, the group leave and the exit (terminationGracePeriodSeconds = deadline + 10 s).
  assert.ok(took < 10_000 + 10_000, `took ${took} ms`);
  assert.match(p.output(), /stopped: consumed=\d+/);
  // Every record below a committed offset must be reflected in the table.
  const progress = await groupProgress(endpoints.kafkaBrokers, env.KAFKA_GROUP_ID, topic);
  const all = await readTopic(
    endpoints.kafkaBrokers,
    topic,
    Number([...progress.values()].reduce((n, [, h]) => n + h, 0n)),
    60_000,
  );
  const items = await scanTable(endpoints.dynamodbEndpoint, table);
  let covered = 0;
  for (const m of all) {
    const committed = progress.get(m.partition)![0];
    if (m.value === null || BigInt(m.offset) >= committed) continue;
    covered++;
    // The workload's LSNs pass 2^53 on purpose: read the exact digits, as the product does
    // (JSON.parse would round an odd LSN up and report a durable record as missing).
    const lsnText = /"lsn":(\d+)/.exec(m.value.toString())?.[1];
    assert.ok(lsnText !== undefined, `record ${m.partition}@${m.offset} has no source.lsn`);
    const id = (JSON.parse(m.key!.toString()) as { id: number }).id;
    const stored = items.get(pgItemKey(String(id)))?.["_cdc_version"]?.S ?? "";
    const lsn = lsnText.padStart(20, "0");
    assert.ok(
      stored.slice(-20) >= lsn,
      `record ${m.partition}@${m.offset} (key ${id}, lsn ${lsn}) is committed but the table has ${stored || "nothing"}`,
    );
  }
  assert.ok(covered > 0, "some records were committed before the stop");
  const total = [...progress.values()].reduce((n, [, h]) => n + h, 0n);
  assert.ok(BigInt(covered) < total, "the stop landed mid-stream");
});

test("a poison record without a DLQ stops the service (exit 4) and nothing past it is committed", async () => {
  const topic = uniqueName("cdc");
  const table = uniqueName("tbl");
  await createTopic(endpoints.kafkaBrokers, topic, 1);
  await createTable(endpoints.dynamodbEndpoint, table);
  await producer.send({
    topic,
    acks: -1,
    messages: [0, 1, 2]
      .map((i) => ({ key: pgKey(i), value: pgRecord({ op: "c", id: i, lsn: 10 + i }, i).value }))
      .concat([
        { key: pgKey(9), value: Buffer.from("not json") },
        { key: pgKey(3), value: pgRecord({ op: "c", id: 3, lsn: 13 }, 4).value },
      ]),
  });
  const group = uniqueName("g");
  const p = start({ KAFKA_TOPICS: topic, KAFKA_GROUP_ID: group, DYNAMODB_TABLE: table });
  const { code } = await p.exited;
  assert.equal(code, 4, p.output());
  assert.match(p.output(), new RegExp(`poison record at ${topic}/0@3 \\(undecodable\\)`));
  assert.match(p.output(), /Set DLQ_TOPIC/);
  const progress = await groupProgress(endpoints.kafkaBrokers, group, topic);
  assert.ok(
    progress.get(0)![0] <= 3n,
    `committed ${progress.get(0)![0]} passed the poison record at offset 3`,
  );
});

test("fatal deployment errors exit non-zero with a message naming the cause", async (t) => {
  const topic = uniqueName("cdc");
  await createTopic(endpoints.kafkaBrokers, topic, 1);
  const base = { KAFKA_TOPICS: topic, KAFKA_GROUP_ID: uniqueName("g") };

  await t.test("bad configuration: exit 2, every variable named", async () => {
    const p = start({ ...base, DYNAMODB_TABLE: "", MAX_IN_FLIGHT: "many", KAFKA_BROKERS: "nohost" });
    assert.equal((await p.exited).code, 2);
    for (const name of ["DYNAMODB_TABLE", "MAX_IN_FLIGHT", "KAFKA_BROKERS"])
      assert.match(p.output(), new RegExp(name));
  });
  await t.test("missing table: exit 3", async () => {
    const missing = uniqueName("missing");
    const p = start({ ...base, DYNAMODB_TABLE: missing });
    assert.equal((await p.exited).code, 3);
    assert.match(p.output(), new RegExp(`ResourceNotFoundException.*${missing}|${missing}.*does not exist`));
  });
  await t.test("wrong key schema: exit 3, the mismatch named", async () => {
    const wrong = uniqueName("wrong");
    const client = dynamoClient(endpoints.dynamodbEndpoint);
    await client.send(
      new CreateTableCommand({
        TableName: wrong,
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "N" }],
      }),
    );
    client.destroy();
    const p = start({ ...base, DYNAMODB_TABLE: wrong });
    assert.equal((await p.exited).code, 3);
    assert.match(
      p.output(),
      new RegExp(`table ${wrong} does not match the configuration: partition key is id, expected pk`),
    );
  });
  await t.test("missing topic: exit 3", async () => {
    const table = uniqueName("tbl");
    await createTable(endpoints.dynamodbEndpoint, table);
    const p = start({ ...base, KAFKA_TOPICS: "no_such_topic_x", DYNAMODB_TABLE: table });
    assert.equal((await p.exited).code, 3);
    assert.match(p.output(), /no_such_topic_x do not exist/);
  });
  await t.test("init-table creates the table, and accepts it the second time", async () => {
    const table = uniqueName("init");
    const first = start({ DYNAMODB_TABLE: table }, ["init-table"]);
    assert.equal((await first.exited).code, 0, first.output());
    assert.match(first.output(), /created/);
    const second = start({ DYNAMODB_TABLE: table }, ["init-table"]);
    assert.equal((await second.exited).code, 0);
    assert.match(second.output(), /already exists/);
  });
  await t.test("--help documents the commands and exit codes", async () => {
    const p = start({}, ["--help"]);
    assert.equal((await p.exited).code, 0);
    assert.match(p.output(), /init-table/);
    assert.match(p.output(), /4 poison record, no DLQ/);
  });
});
