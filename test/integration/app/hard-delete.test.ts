// Hard deletes through `cdc-sink run` on the real broker and store (issue 15 item 4,
// docs/mapping.md#hard-deletes), in both write shapes (WRITE_MODE=put: a PutItem onto a live row,
// else a TransactWriteItems; WRITE_MODE=transact: batched transactions): a deleted row is gone for
// readers (GetItem returns nothing) while its companion tombstone keeps the version; an older update
// replayed after the delete, in a later batch, stays absent (stale); a replay by a new group
// applies 0 and leaves both tables identical. Start-up refuses a missing or mis-keyed companion
// table (exit 3, naming both tables), and init-table creates it.

import assert from "node:assert/strict";
import { test } from "node:test";
import { initTable } from "../../../src/adapters/dynamodb/table.ts";
import { createTopic } from "../../support/kafka.ts";
import { uniqueName } from "../../support/names.ts";
import { waitFor } from "../../support/wait.ts";
import { dynamoClient } from "../../support/dynamo.ts";
import { companionOf, getById, hardMapping as mapping, scanCanonical } from "../../support/hard-delete.ts";
import { caughtUp } from "../../support/kafka-progress.ts";
import { spawnSink } from "../../support/sink-process.ts";
import { pgKey, pgRecord, pgValue, type PgChange } from "../../support/debezium-records.ts";
import { decodeKafkaRecord } from "../../../src/core/record.ts";
import type { ChangeEvent } from "../../../src/core/types.ts";
import { sinkSuite } from "../../support/sink-suite.ts";

const suite = sinkSuite();

function env(topic: string, table: string, group: string, extra: Record<string, string> = {}) {
  return {
    KAFKA_TOPICS: topic,
    KAFKA_GROUP_ID: group,
    KAFKA_FROM_BEGINNING: "true",
    DYNAMODB_TABLE: table,
    ITEM_MAPPING: JSON.stringify(mapping),
    ...extra,
  };
}

async function produce(topic: string, changes: PgChange[]): Promise<void> {
  await suite.producer.send({
    topic,
    acks: -1,
    messages: changes.map((c) => ({ key: pgKey(c.id), value: pgValue(c) })),
  });
}

/** Runs the sink until the group has consumed the topic, then stops it: its final counts. */
async function runOnce(topic: string, table: string, group: string, mode: string) {
  const sink = spawnSink(suite.endpoints, env(topic, table, group, { WRITE_MODE: mode }));
  suite.sinks.push(sink);
  // A sink that stops on its own fails the test at once, with its output (read then, not now).
  let ended = false;
  void sink.exited.then(() => (ended = true));
  await waitFor(async () => ended || (await caughtUp(suite.endpoints.kafkaBrokers, group, topic)), {
    timeoutMs: 120_000,
    intervalMs: 250,
    message: "not caught up",
  });
  assert.ok(!ended, `the sink stopped before catching up:\n${sink.output().slice(-3000)}`);
  sink.child.kill("SIGTERM");
  assert.equal((await sink.exited).code, 0, sink.output().slice(-3000));
  const line = sink
    .output()
    .split("\n")
    .reverse()
    .find((l) => l.includes('"msg":"stopped:'));
  assert.ok(line !== undefined, sink.output().slice(-2000));
  return (JSON.parse(line) as { counts: Record<string, number> }).counts;
}

const get = (table: string, id: number) => getById(suite.endpoints.dynamodbEndpoint, table, id);
const scanAll = (table: string) => scanCanonical(suite.endpoints.dynamodbEndpoint, table);

/** The version the sink writes for a change at `lsn`: the product's own decoder says it. */
function version(lsn: number): string {
  const d = decodeKafkaRecord(pgRecord({ op: "u", id: 1, lsn, row: {} }, 0), {
    versionSource: "auto",
    epoch: 0,
  });
  assert.equal(d.kind, "change");
  return (d as { event: ChangeEvent }).event.version;
}

for (const mode of ["put", "transact"] as const) {
  test(`WRITE_MODE=${mode}: a hard-deleted row stays absent for readers, whatever is replayed`, async (t) => {
    const topic = uniqueName("hard");
    const table = uniqueName("hard");
    const companion = companionOf(table);
    await createTopic(suite.endpoints.kafkaBrokers, topic, 1);
    const init = spawnSink(suite.endpoints, env(topic, table, "unused"), ["init-table", "--json"]);
    assert.equal((await init.exited).code, 0, init.output());
    const created = JSON.parse(
      init
        .output()
        .split("\n")
        .find((l) => l.startsWith('{"table"'))!,
    ) as {
      tombstoneTable: { table: string; outcome: string } | null;
    };
    assert.deepEqual(created.tombstoneTable, { table: companion, outcome: "created" });

    await produce(topic, [
      { op: "c", id: 1, lsn: 100, row: { name: "a" } },
      { op: "u", id: 1, lsn: 200, row: { name: "a2" } },
      { op: "d", id: 1, lsn: 300 },
      { op: "c", id: 2, lsn: 110, row: { name: "b" } },
      { op: "d", id: 2, lsn: 310 },
      { op: "c", id: 3, lsn: 120, row: { name: "c" } },
      { op: "u", id: 3, lsn: 220, row: { name: "c2" } },
      { op: "d", id: 4, lsn: 400 },
      { op: "c", id: 5, lsn: 130, row: { name: "e" } },
    ]);
    const group = uniqueName("g");
    const first = await runOnce(topic, table, group, mode);
    t.diagnostic(`first ${JSON.stringify(first)}`);
    for (const id of [1, 2, 4]) assert.equal(await get(table, id), undefined, `row ${id} is gone`);
    assert.equal((await get(table, 3))?.["name"]?.S, "c2");
    assert.equal((await get(table, 3))?.["_cdc_version"]?.S, version(220));
    assert.deepEqual(
      await Promise.all([1, 2, 4].map(async (id) => (await get(companion, id))?.["_cdc_version"]?.S)),
      [version(300), version(310), version(400)],
    );
    assert.equal(await get(companion, 3), undefined, "a live row has no tombstone");

    // Older changes replayed after the deletes, in a later batch: the guard, not coalescing, decides.
    // Row 5 is deleted now and re-inserted after it (a newer version): it comes back, as it should.
    await produce(topic, [
      { op: "u", id: 1, lsn: 200, row: { name: "a2" } },
      { op: "c", id: 2, lsn: 110, row: { name: "b" } },
      { op: "c", id: 4, lsn: 350, row: { name: "older than its delete" } },
      { op: "d", id: 5, lsn: 500 },
    ]);
    const late = await runOnce(topic, table, group, mode);
    t.diagnostic(`late replays ${JSON.stringify(late)}`);
    assert.equal(late["stale"], 3);
    assert.equal(late["applied"], 1, "the delete of row 5");
    for (const id of [1, 2, 4, 5]) assert.equal(await get(table, id), undefined, `row ${id} stays gone`);
    await produce(topic, [{ op: "c", id: 5, lsn: 600, row: { name: "again" } }]);
    assert.equal((await runOnce(topic, table, group, mode))["applied"], 1);
    assert.equal((await get(table, 5))?.["name"]?.S, "again", "a re-insert newer than the delete");
    assert.equal((await get(companion, 5))?.["_cdc_version"]?.S, version(500));

    // A new group reads the whole topic again: nothing is applied, both tables stay as they were.
    const before = [await scanAll(table), await scanAll(companion)];
    const replay = await runOnce(topic, table, uniqueName("replay"), mode);
    t.diagnostic(`replay ${JSON.stringify(replay)}`);
    assert.equal(replay["applied"], 0);
    assert.equal(replay["consumed"], 14);
    assert.deepEqual([await scanAll(table), await scanAll(companion)], before);
    assert.equal(before[0]!.length, 2, "rows 3 and 5");
  });
}

test("a missing or mis-keyed tombstone table: run exits 3 naming both tables", async () => {
  const topic = uniqueName("hard");
  await createTopic(suite.endpoints.kafkaBrokers, topic, 1);
  const table = uniqueName("hard");
  const wrong = uniqueName("wrongtomb");
  const client = dynamoClient(suite.endpoints.dynamodbEndpoint);
  try {
    await initTable(client, table, { partition: { attribute: "id", type: "N" } });
    await initTable(client, wrong, { partition: { attribute: "id", type: "S" } });
  } finally {
    client.destroy();
  }
  const missing = spawnSink(suite.endpoints, env(topic, table, uniqueName("g")));
  suite.sinks.push(missing);
  assert.equal((await missing.exited).code, 3, missing.output());
  assert.match(
    missing.output(),
    new RegExp(
      `${table}-cdc-tombstones is the tombstone table of table ${table} \\(deletes: \\\\?"hard\\\\?"\\)`,
    ),
  );
  const spec = JSON.stringify({ ...mapping, tombstoneTable: wrong });
  const miskeyed = spawnSink(suite.endpoints, { ...env(topic, table, uniqueName("g")), ITEM_MAPPING: spec });
  suite.sinks.push(miskeyed);
  assert.equal((await miskeyed.exited).code, 3, miskeyed.output());
  assert.match(
    miskeyed.output(),
    new RegExp(`table ${wrong} does not match the configuration: partition key id type is S`),
  );
  assert.match(miskeyed.output(), /key_schema_mismatch/);
});
