// The replay-safe promises, end to end on the real broker and the stack's DynamoDB (dynoxide), with the service
// running in-process (the process-level tests — crashes, signals, exit codes — are in test/integration/app/main.test.ts).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Producer } from "kafkajs";
import { finished } from "../../../src/engine/stats.ts";
import { stackEndpoints, type Endpoints } from "../../support/stack.ts";
import { createTopic } from "../../support/kafka.ts";
import { uniqueName } from "../../support/names.ts";
import { waitFor } from "../../support/wait.ts";
import { createStreamedTable, createTable, scanTable, writeEvidence } from "../../support/dynamo.ts";
import { caughtUp, connectedProducer, groupProgress, readTopic } from "../../support/kafka-progress.ts";
import { assertClean, judge } from "../../support/ledger.ts";
import { makeWorkload, produce } from "../../support/workload.ts";
import { startInProcess, type InProcessSink } from "../../support/sink-process.ts";
import { WRITES, startFaultProxy } from "../../support/dynamo-fault-proxy.ts";
import { pgKey, pgRecord } from "../../support/debezium-records.ts";

let endpoints: Endpoints;
let producer: Producer;

before(async () => {
  endpoints = stackEndpoints();
  producer = await connectedProducer(endpoints.kafkaBrokers);
});
after(async () => {
  await producer.disconnect();
});

async function setup(partitions = 3) {
  const topic = uniqueName("cdc");
  const table = uniqueName("tbl");
  await createTopic(endpoints.kafkaBrokers, topic, partitions);
  await createTable(endpoints.dynamodbEndpoint, table);
  return { topic, table };
}

async function runUntilCaughtUp(
  env: Record<string, string>,
  expectedConsumed: number,
  hooks?: Parameters<typeof startInProcess>[2],
): Promise<InProcessSink> {
  const sink = await startInProcess(endpoints, env, hooks);
  try {
    await waitFor(
      () =>
        sink.stats.total.consumed >= expectedConsumed &&
        finished(sink.stats.total) === sink.stats.total.consumed &&
        caughtUp(endpoints.kafkaBrokers, env["KAFKA_GROUP_ID"]!, env["KAFKA_TOPICS"]!),
      {
        timeoutMs: 120_000,
        intervalMs: 250,
        message: `sink did not catch up (${JSON.stringify(sink.stats.total)})`,
      },
    );
  } finally {
    assert.equal(await sink.stop("test done"), 0, sink.logs());
  }
  return sink;
}

function assertConservation(sink: InProcessSink, produced: number): void {
  const t = sink.stats.total;
  assert.equal(t.consumed, produced, "every produced record was consumed exactly once in a clean run");
  assert.equal(
    t.applied + t.duplicate + t.stale + t.skipped + t.dead_lettered,
    t.consumed,
    `conservation: ${JSON.stringify(t)}`,
  );
}

test("a replay by a new group applies 0 records and leaves the table identical", async () => {
  const { topic, table } = await setup();
  const workload = makeWorkload({ keys: 60, changesPerKey: 5, replays: 40, seed: 7 });
  await produce(producer, topic, workload.messages);
  const first = await runUntilCaughtUp(
    { KAFKA_TOPICS: topic, KAFKA_GROUP_ID: uniqueName("g"), DYNAMODB_TABLE: table },
    workload.messages.length,
  );
  assertConservation(first, workload.messages.length);
  const tombstones = workload.messages.filter((m) => m.value === null).length;
  assert.equal(first.stats.total.skipped, tombstones, "Kafka tombstones are skipped and counted");
  assert.ok(first.stats.total.applied > 0 && first.stats.total.duplicate + first.stats.total.stale >= 40);
  const before = await scanTable(endpoints.dynamodbEndpoint, table);
  assertClean(judge(before, workload));

  const second = await runUntilCaughtUp(
    { KAFKA_TOPICS: topic, KAFKA_GROUP_ID: uniqueName("g"), DYNAMODB_TABLE: table },
    workload.messages.length,
  );
  assertConservation(second, workload.messages.length);
  assert.equal(second.stats.total.applied, 0, "a replay applies nothing");
  const afterReplay = await scanTable(endpoints.dynamodbEndpoint, table);
  assert.equal(afterReplay.size, before.size);
  for (const [key, item] of before)
    assert.deepEqual(afterReplay.get(key), item, `item ${key} changed on replay`);
});

test("older versions arriving after newer ones never regress, and deleted rows stay deleted", async () => {
  const { topic, table } = await setup(1);
  const messages = [
    pgRecord({ op: "c", id: 1, lsn: 100, row: { name: "v100" } }, 0),
    pgRecord({ op: "u", id: 1, lsn: 300, row: { name: "v300" } }, 0),
    pgRecord({ op: "u", id: 1, lsn: 200, row: { name: "v200-late" } }, 0),
    pgRecord({ op: "c", id: 2, lsn: 110, row: { name: "two" } }, 0),
    pgRecord({ op: "d", id: 2, lsn: 400 }, 0),
    { key: pgKey(2), value: null },
    pgRecord({ op: "u", id: 2, lsn: 390, row: { name: "zombie" } }, 0),
    pgRecord({ op: "u", id: 2, lsn: 150, row: { name: "older zombie" } }, 0),
  ].map((m) => ({ key: m.key, value: m.value }));
  // Each message is produced only after the sink finished the previous one, so each arrives alone
  // (no in-batch coalescing) and the late versions really meet a newer stored item.
  const group = uniqueName("g");
  const sink = await startInProcess(endpoints, {
    KAFKA_TOPICS: topic,
    KAFKA_GROUP_ID: group,
    DYNAMODB_TABLE: table,
  });
  try {
    for (const [i, m] of messages.entries()) {
      await producer.send({ topic, acks: -1, messages: [m] });
      await waitFor(() => finished(sink.stats.total) === i + 1, { message: `message ${i} not finished` });
    }
    await waitFor(() => caughtUp(endpoints.kafkaBrokers, group, topic), { message: "offsets not committed" });
  } finally {
    assert.equal(await sink.stop("test done"), 0);
  }
  assertConservation(sink, messages.length);
  const items = await scanTable(endpoints.dynamodbEndpoint, table);
  const one = items.get("pg.app.public.customers:[1]")!;
  assert.equal(one["name"]?.S, "v300");
  const two = items.get("pg.app.public.customers:[2]")!;
  assert.equal(two["_cdc_deleted"]?.BOOL, true, "the delete's tombstone stays");
  assert.equal(two["name"], undefined);
  const t = sink.stats.total;
  assert.deepEqual([t.applied, t.stale, t.skipped, t.duplicate], [4, 3, 1, 0]);
});

test("poison in the middle of a partition lands in the DLQ with its headers and bytes; later records are applied", async () => {
  const { topic, table } = await setup(1);
  const dlq = uniqueName("dlq");
  await createTopic(endpoints.kafkaBrokers, dlq, 1);
  const garbage = Buffer.from([0x7b, 0xff, 0x00, 0x13]);
  await producer.send({
    topic,
    acks: -1,
    messages: [
      { key: pgKey(1), value: pgRecord({ op: "c", id: 1, lsn: 10 }, 0).value },
      {
        key: pgKey(2),
        value: garbage,
        headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
      },
      {
        key: pgKey(3),
        value: Buffer.from(
          JSON.stringify({ op: "c", after: { id: 3 }, source: { connector: "postgresql" } }),
        ),
      },
      { key: pgKey(4), value: pgRecord({ op: "c", id: 4, lsn: 40 }, 0).value },
    ],
  });
  const group = uniqueName("g");
  const sink = await runUntilCaughtUp(
    { KAFKA_TOPICS: topic, KAFKA_GROUP_ID: group, DYNAMODB_TABLE: table, DLQ_TOPIC: dlq },
    4,
  );
  assertConservation(sink, 4);
  assert.deepEqual([sink.stats.total.applied, sink.stats.total.dead_lettered], [2, 2]);
  const dead = await readTopic(endpoints.kafkaBrokers, dlq, 2);
  assert.equal(dead.length, 2);
  const [a, b] = dead.sort(
    (x, y) => Number(x.headers["__connect.errors.offset"]) - Number(y.headers["__connect.errors.offset"]),
  );
  assert.deepEqual(a!.value, garbage, "original bytes are kept");
  assert.deepEqual(a!.key, pgKey(2));
  assert.equal(a!.headers["__connect.errors.topic"], topic);
  assert.equal(a!.headers["__connect.errors.partition"], "0");
  assert.equal(a!.headers["__connect.errors.offset"], "1");
  assert.equal(a!.headers["cdc.error.code"], "undecodable");
  assert.equal(a!.headers["cdc.group"], group);
  assert.equal(a!.headers["traceparent"], "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  assert.equal(b!.headers["cdc.error.code"], "missing_version");
  assert.match(b!.headers["__connect.errors.exception.message"] ?? "", /source\.lsn is absent/);
  const items = await scanTable(endpoints.dynamodbEndpoint, table);
  assert.deepEqual([...items.keys()].sort(), ["pg.app.public.customers:[1]", "pg.app.public.customers:[4]"]);
});

test("a key whose writes fail holds only its partition's committed offset; after healing it catches up", async () => {
  const { topic, table } = await setup(4);
  const workload = makeWorkload({ keys: 40, changesPerKey: 3, seed: 3 });
  await produce(producer, topic, workload.messages);
  const group = uniqueName("g");
  let healed = false;
  const sink = await startInProcess(
    endpoints,
    { KAFKA_TOPICS: topic, KAFKA_GROUP_ID: group, DYNAMODB_TABLE: table },
    {
      beforeSend: async (event) => {
        if (!healed && event.id === "[5]") {
          const { TransientError } = await import("../../../src/core/errors.ts");
          throw new TransientError("dynamodb_InternalServerError", "injected outage for key 5");
        }
      },
    },
  );
  try {
    // Partition of key 5 (kafkajs's default partitioner is murmur2 on the key, like Java's).
    const progress = await waitFor(
      async () => {
        const p = await groupProgress(endpoints.kafkaBrokers, group, topic);
        const others = [...p.entries()].filter(([, [c, h]]) => c === h && h > 0n);
        return others.length === p.size - 1 && sink.stats.total.retries > 3 ? p : undefined;
      },
      { timeoutMs: 60_000, message: "other partitions did not catch up while key 5 was failing" },
    );
    const [stuckPartition, [committed, high]] = [...progress.entries()].find(([, [c, h]]) => c !== h)!;
    const firstOfKey5 = await waitFor(async () => {
      const all = await readTopic(endpoints.kafkaBrokers, topic, workload.messages.length);
      return all
        .filter((m) => m.partition === stuckPartition && m.key?.equals(pgKey(5)))
        .map((m) => BigInt(m.offset))
        .sort()[0];
    });
    assert.ok(
      committed <= firstOfKey5,
      `committed ${committed} passed the unwritten record at ${firstOfKey5} (high ${high})`,
    );
    assert.equal(sink.stats.total.dead_lettered, 0, "transient errors are never dead-lettered");
    healed = true;
    await waitFor(() => caughtUp(endpoints.kafkaBrokers, group, topic), {
      timeoutMs: 60_000,
      message: "did not catch up after healing",
    });
  } finally {
    assert.equal(await sink.stop("test done"), 0);
  }
  assertConservation(sink, workload.messages.length);
  assertClean(judge(await scanTable(endpoints.dynamodbEndpoint, table), workload));
});

test("throttling, 500s, 503s and lost replies from DynamoDB are retried, never dead-lettered, nothing lost or applied twice", async () => {
  const topic = uniqueName("cdc");
  const table = uniqueName("tbl");
  await createTopic(endpoints.kafkaBrokers, topic, 3);
  await createStreamedTable(endpoints.dynamodbEndpoint, table);
  const workload = makeWorkload({ keys: 80, changesPerKey: 3, seed: 11 });
  await produce(producer, topic, workload.messages);
  let n = 0;
  const faults = ["throttle", "throughput", "500", "503", "drop-reply"] as const;
  const proxy = await startFaultProxy(endpoints.dynamodbEndpoint, (operation) =>
    WRITES.has(operation) && ++n % 4 === 0 ? faults[(n / 4) % faults.length] : undefined,
  );
  try {
    const sink = await runUntilCaughtUp(
      {
        KAFKA_TOPICS: topic,
        KAFKA_GROUP_ID: uniqueName("g"),
        DYNAMODB_TABLE: table,
        DYNAMODB_ENDPOINT: proxy.endpoint,
        DYNAMODB_REQUEST_TIMEOUT_MS: "1000",
      },
      workload.messages.length,
    );
    assertConservation(sink, workload.messages.length);
    for (const f of faults) assert.ok(proxy.counts[f] > 0, `fault ${f} was injected`);
    assert.equal(sink.stats.total.dead_lettered, 0);
    assert.ok(sink.stats.total.retries >= Object.values(proxy.counts).reduce((a, b) => a + b, 0));
  } finally {
    await proxy.close();
  }
  assertClean(judge(await scanTable(endpoints.dynamodbEndpoint, table), workload));
  // A lost reply means the write happened; its retry is refused, never applied twice. The table's
  // stream holds every write that passed its condition.
  const evidence = await writeEvidence(endpoints.dynamodbEndpoint, table);
  assert.equal(evidence.duplicateEffect, 0, "a (key, version) was written twice");
  assert.equal(evidence.regression, 0);
  assert.ok(evidence.writes > 0);
});
