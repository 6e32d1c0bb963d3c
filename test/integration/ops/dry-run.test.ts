// `cdc-sink run --dry-run` decides what a run would do, writes and commits nothing, and a real run
// afterwards does exactly what it said (each key appears once in the range, so batching cannot
// change an outcome: docs/operations.md).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Producer } from "kafkajs";
import { pgKey, pgValue } from "../../support/debezium-records.ts";
import { createTable, scanTable, stable } from "../../support/dynamo.ts";
import { createTopic } from "../../support/kafka.ts";
import { caughtUp, connectedProducer, groupProgress } from "../../support/kafka-progress.ts";
import { uniqueName } from "../../support/names.ts";
import { startInProcess } from "../../support/sink-process.ts";
import { stackEndpoints, type Endpoints } from "../../support/stack.ts";
import { waitFor } from "../../support/wait.ts";
import type { Summary } from "../../../src/ops/summary.ts";
import { cli, parsed, send } from "./cli.ts";

let endpoints: Endpoints;
let producer: Producer;
before(async () => {
  endpoints = stackEndpoints();
  producer = await connectedProducer(endpoints.kafkaBrokers);
});
after(async () => {
  await producer.disconnect();
});

const change = (id: number, lsn: number, partition: number) => ({
  key: pgKey(id),
  value: pgValue({ op: "u", id, lsn, lastCommitLsn: lsn, row: { n: lsn } }),
  partition,
});

/** The table's items by key, without the write time. */
async function items(table: string) {
  const all = await scanTable(endpoints.dynamodbEndpoint, table);
  return Object.fromEntries([...all].map(([k, v]) => [k, stable(v)]));
}

async function runUntilCaughtUp(env: Record<string, string>, topic: string) {
  const sink = await startInProcess(endpoints, env);
  await waitFor(() => caughtUp(endpoints.kafkaBrokers, env["KAFKA_GROUP_ID"]!, topic), {
    timeoutMs: 120_000,
    message: "the sink did not catch up",
  });
  assert.equal(await sink.stop("test"), 0, sink.logs());
  return { ...sink.stats.total };
}

test("the dry run's counts equal the real run's that follows, and it changes nothing", async () => {
  const topic = uniqueName("dry");
  const dlq = uniqueName("dry_dlq");
  const table = uniqueName("dry_tbl");
  await createTopic(endpoints.kafkaBrokers, topic, 2);
  await createTopic(endpoints.kafkaBrokers, dlq, 1);
  await createTable(endpoints.dynamodbEndpoint, table);
  const env = { KAFKA_TOPICS: topic, KAFKA_GROUP_ID: uniqueName("g"), DYNAMODB_TABLE: table, DLQ_TOPIC: dlq };
  const id = (i: number) => i;
  // First: 40 keys at version 100+i, applied by a real run.
  await send(
    producer,
    topic,
    Array.from({ length: 40 }, (_, i) => change(id(i), 100 + i, i % 2)),
  );
  await runUntilCaughtUp({ ...env, KAFKA_FROM_BEGINNING: "true" }, topic);

  // Then, each key once: 10 replays (duplicate), 10 older versions (stale), 30 new keys (applied),
  // 4 undecodable records and 3 rows too large for an item (dead-lettered).
  await send(producer, topic, [
    ...Array.from({ length: 10 }, (_, i) => change(id(i), 100 + i, i % 2)),
    ...Array.from({ length: 10 }, (_, i) => change(id(10 + i), 50, i % 2)),
    ...Array.from({ length: 30 }, (_, i) => change(id(40 + i), 7, i % 2)),
    ...Array.from({ length: 4 }, (_, i) => ({
      key: pgKey(100 + i),
      value: Buffer.from("{oops"),
      partition: i % 2,
    })),
  ]);
  // One request each: several 410 KB rows in one request would pass the broker's 1 MB limit.
  for (let i = 0; i < 3; i++) {
    const blob = "y".repeat(410_000);
    const value = pgValue({ op: "c", id: 200 + i, lsn: 9, row: { blob } });
    await send(producer, topic, [{ key: pgKey(200 + i), value, partition: i % 2 }]);
  }
  const tableBefore = await items(table);
  const offsetsBefore = await groupProgress(endpoints.kafkaBrokers, env.KAFKA_GROUP_ID, topic);

  const r = await cli(endpoints, env, ["run", "--dry-run", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const dry = parsed<Summary>(r);
  assert.deepEqual(dry.counts, { applied: 30, duplicate: 10, stale: 10, dead_lettered: 7 });
  assert.deepEqual(dry.poisonCodes, { undecodable: 4, item_too_large: 3 });

  const tableAfter = await items(table);
  assert.deepEqual(tableAfter, tableBefore, "the dry run wrote to the table");
  assert.deepEqual(await groupProgress(endpoints.kafkaBrokers, env.KAFKA_GROUP_ID, topic), offsetsBefore);
  assert.deepEqual(
    await groupProgress(endpoints.kafkaBrokers, env.KAFKA_GROUP_ID, dlq),
    new Map([[0, [-1n, 0n]]]),
  );

  const real = await runUntilCaughtUp(env, topic);
  assert.deepEqual(
    {
      applied: real.applied,
      duplicate: real.duplicate,
      stale: real.stale,
      dead_lettered: real.dead_lettered,
    },
    dry.counts,
  );
});
