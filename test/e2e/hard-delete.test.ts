// Hard deletes end to end (issue 15 item 4, docs/mapping.md#hard-deletes): PostgreSQL → Debezium →
// Kafka → `cdc-sink run` with `deletes: "hard"` on a numeric key, tables made by `cdc-sink
// init-table` (the table and its companion). Deleted rows are gone for readers (GetItem returns
// nothing) while the companion keeps their versions; a row deleted and inserted again is back. A
// replay by a new group — the snapshot reads and updates older than the deletes arrive after them —
// applies 0, leaves both tables identical and every deleted row absent. Reconcile with the mapping,
// whole and sampled, finds no drift.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { companionOf, getById, hardMapping as mapping, scanCanonical } from "../support/hard-delete.ts";
import { caughtUp } from "../support/kafka-progress.ts";
import { withAdmin } from "../support/kafka.ts";
import { pipelineNames, uniqueName } from "../support/names.ts";
import { withPg } from "../support/postgres.ts";
import { spawnSink, waitConsuming, type SinkProcess } from "../support/sink-process.ts";
import { cdcEndpoints } from "../support/stack.ts";
import { waitFor } from "../support/wait.ts";
import { connectorConfig, reconcile, startConnector, stopSink, teardown, type Pipeline } from "./pipeline.ts";

let p: Pipeline;
const sinks = new Set<SinkProcess>();
const topic = () => `${p.prefix}.${p.schema}.accounts`;
const companion = () => companionOf(p.table);

function sinkEnv(group: string): Record<string, string> {
  return {
    KAFKA_TOPICS: topic(),
    KAFKA_GROUP_ID: group,
    DYNAMODB_TABLE: p.table,
    ITEM_MAPPING: JSON.stringify(mapping),
  };
}

async function runUntilCaughtUp(group: string): Promise<Record<string, number>> {
  const s = spawnSink(p.ep, sinkEnv(group));
  sinks.add(s);
  await waitConsuming(s);
  await waitFor(() => caughtUp(p.ep.kafkaBrokers, group, topic()), {
    timeoutMs: 120_000,
    message: `not caught up:\n${s.output().slice(-3000)}`,
  });
  return stopSink(s);
}

const get = (table: string, id: number) => getById(p.ep.dynamodbEndpoint, table, id);
const scanAll = (table: string) => scanCanonical(p.ep.dynamodbEndpoint, table);

before(async () => {
  const ep = cdcEndpoints();
  const base = pipelineNames(ep, "e2e_hard", "accounts");
  const s = base.schema;
  const database = await withPg(ep.postgresUrl, async (c) => {
    await c.query(`CREATE SCHEMA ${s}`);
    await c.query(
      `CREATE TABLE ${s}.accounts (id int PRIMARY KEY, name text NOT NULL, balance numeric(10,2))`,
    );
    await c.query(
      `CREATE TABLE ${s}.debezium_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))`,
    );
    await c.query(`CREATE PUBLICATION ${base.publication} FOR TABLES IN SCHEMA ${s}`);
    for (let i = 1; i <= 20; i++)
      await c.query(`INSERT INTO ${s}.accounts VALUES ($1, $2, $3)`, [i, `name ${i}`, `${i}.25`]);
    return (await c.query<{ db: string }>("SELECT current_database() AS db")).rows[0]!.db;
  });
  p = {
    ...base,
    database,
    connectorConfig: connectorConfig({ ...base, database }, true, {}),
    reconcileFlags: [],
  };
});

after(async () => {
  for (const s of sinks) s.child.kill("SIGKILL");
  if (p !== undefined) await teardown(p);
});

test("deleted rows are gone for readers and stay gone through a replay; reconcile finds no drift", async (t) => {
  const init = spawnSink(p.ep, sinkEnv("unused"), ["init-table", "--json"]);
  assert.equal((await init.exited).code, 0, init.output());
  assert.match(
    init.output(),
    new RegExp(`"tombstoneTable":\\{"table":"${companion()}","outcome":"created"\\}`),
  );

  await startConnector(p);
  await waitFor(async () => (await withAdmin(p.ep.kafkaBrokers, (a) => a.listTopics())).includes(topic()), {
    timeoutMs: 120_000,
    message: "Debezium did not create the topic",
  });
  await withPg(p.ep.postgresUrl, async (c) => {
    await c.query(`UPDATE ${p.schema}.accounts SET balance = balance + 1 WHERE id <= 10`);
    await c.query(`DELETE FROM ${p.schema}.accounts WHERE id <= 5`);
    await c.query(`INSERT INTO ${p.schema}.accounts VALUES (3, 'back', 0)`);
  });
  // 20 snapshot reads, 10 updates, 5 deletes and their 5 Kafka tombstones, 1 insert.
  await waitFor(
    async () =>
      (await withAdmin(p.ep.kafkaBrokers, (a) => a.fetchTopicOffsets(topic()))).reduce(
        (n, o) => n + Number(o.high),
        0,
      ) >= 41,
    { timeoutMs: 120_000, message: "Debezium did not publish every change" },
  );
  const first = await runUntilCaughtUp(p.group);
  t.diagnostic(`first run ${JSON.stringify(first)}`);
  assert.equal(first["dead_lettered"], 0);

  for (const id of [1, 2, 4, 5]) {
    assert.equal(await get(p.table, id), undefined, `account ${id} is gone for readers`);
    assert.match(
      (await get(companion(), id))?.["_cdc_version"]?.S ?? "",
      /^pg:/,
      `account ${id}'s tombstone`,
    );
  }
  const back = await get(p.table, 3);
  assert.equal(back?.["name"]?.S, "back", "deleted, then inserted again");
  // The delete of 3 and its re-insert come out of one batch or two: in one, the processor writes
  // the newest record of the key first and counts the delete stale behind it (engine/processor.ts),
  // so no tombstone is written; in two, the tombstone stays, older than the row.
  const backTombstone = await get(companion(), 3);
  assert.ok(
    backTombstone === undefined ||
      (back?.["_cdc_version"]?.S ?? "") > (backTombstone["_cdc_version"]?.S ?? "~"),
    `row 3 ${JSON.stringify(back)}, its tombstone ${JSON.stringify(backTombstone)}`,
  );
  assert.equal((await get(p.table, 10))?.["balance"]?.N, "11.25");
  assert.equal((await scanAll(p.table)).length, 16);
  assert.equal((await scanAll(companion())).length, backTombstone === undefined ? 4 : 5);

  const whole = await reconcile(p, ["accounts"], ["--mapping", JSON.stringify(mapping)]);
  const sampled = await reconcile(p, ["accounts"], ["--mapping", JSON.stringify(mapping), "--sample", "10"]);
  t.diagnostic(
    `reconcile ${JSON.stringify([whole.reports[0], sampled.reports[0]].map((r) => ({ rows: r!.sourceRows, items: r!.items, counts: r!.counts })))}`,
  );
  assert.equal(whole.reports[0]!.drift, 0, whole.stderr);
  assert.equal(sampled.reports[0]!.drift, 0, sampled.stderr);
  assert.equal(sampled.code, 0);

  // A new group reads the topic again: the snapshot reads and updates of accounts 1–5 now arrive
  // after their deletes. Nothing is applied; both tables stay as they were.
  const before = [await scanAll(p.table), await scanAll(companion())];
  const replay = await runUntilCaughtUp(uniqueName("replay"));
  t.diagnostic(`replay ${JSON.stringify(replay)}`);
  assert.equal(replay["applied"], 0);
  assert.deepEqual([await scanAll(p.table), await scanAll(companion())], before);
  for (const id of [1, 2, 4, 5]) assert.equal(await get(p.table, id), undefined, `account ${id} stays gone`);
});
