// `cdc-sink dlq list|show|redrive` on records the sink itself dead-lettered: fixed by configuration
// (ITEM_COMPRESSION=gzip, VERSION_SOURCE), a dead letter older than the table's item is stale, a
// record that fails again goes back with attempts + 1, and a redrive killed half-way and restarted
// applies each record once (the table's stream is the evidence).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Producer } from "kafkajs";
import type { DeadLetterGroup } from "../../../src/ops/dlq.ts";
import type { Summary } from "../../../src/ops/summary.ts";
import { pgKey, pgValue } from "../../support/debezium-records.ts";
import { createStreamedTable, scanTable, writeEvidence } from "../../support/dynamo.ts";
import { createTopic } from "../../support/kafka.ts";
import { caughtUp, connectedProducer, groupProgress } from "../../support/kafka-progress.ts";
import { uniqueName } from "../../support/names.ts";
import { startInProcess } from "../../support/sink-process.ts";
import { stackEndpoints, type Endpoints } from "../../support/stack.ts";
import { waitFor } from "../../support/wait.ts";
import { cli, parsed, send, startCli } from "./cli.ts";

let endpoints: Endpoints;
let producer: Producer;
before(async () => {
  endpoints = stackEndpoints();
  producer = await connectedProducer(endpoints.kafkaBrokers);
});
after(async () => {
  await producer.disconnect();
});

const change = (id: number, lsn: number, row: Record<string, unknown> = {}) => ({
  key: pgKey(id),
  value: pgValue({ op: "u", id, lsn, lastCommitLsn: lsn, row }),
});
const big = (id: number, lsn: number) => change(id, lsn, { blob: "z".repeat(410_000) });

/** Runs a real sink over the topic until its group caught up; returns its counts. */
async function runSink(env: Record<string, string>, topic: string) {
  const sink = await startInProcess(endpoints, env);
  await waitFor(() => caughtUp(endpoints.kafkaBrokers, env["KAFKA_GROUP_ID"]!, topic), {
    timeoutMs: 180_000,
    message: "the sink did not catch up",
  });
  assert.equal(await sink.stop("test"), 0, sink.logs());
  return { ...sink.stats.total };
}

/** A topic, its DLQ and a streamed table, with `records` run through a real sink until caught up. */
async function deadLettered(records: { key: Buffer; value: Buffer }[], sinkEnv: Record<string, string> = {}) {
  const topic = uniqueName("rd");
  const dlq = uniqueName("rd_dlq");
  const table = uniqueName("rd_tbl");
  await createTopic(endpoints.kafkaBrokers, topic, 2);
  await createTopic(endpoints.kafkaBrokers, dlq, 1);
  await createStreamedTable(endpoints.dynamodbEndpoint, table);
  const env = {
    KAFKA_TOPICS: topic,
    KAFKA_GROUP_ID: uniqueName("g"),
    DYNAMODB_TABLE: table,
    DLQ_TOPIC: dlq,
    KAFKA_FROM_BEGINNING: "true",
  };
  // One request each: a few 410 KB rows together pass the broker's 1 MB message.max.bytes.
  for (const r of records) await send(producer, topic, [r]);
  const stats = await runSink({ ...env, ...sinkEnv }, topic);
  return { topic, dlq, table, env, stats };
}

type ListOut = { total: number; groups: DeadLetterGroup[] };
type RedriveOut = Summary & { read: number };

test("rows too large are applied once gzip is on; an older dead letter comes back stale", async () => {
  // Two versions of key 4 fail too; a newer one (30) arrives later and is applied.
  const t = await deadLettered([big(1, 10), big(2, 10), big(3, 10), big(4, 10), big(4, 20), change(5, 10)]);
  assert.equal(t.stats.dead_lettered, 5);
  await send(producer, t.topic, [change(4, 30)]);
  assert.equal((await runSink(t.env, t.topic)).applied, 1);
  const list = parsed<ListOut>(await cli(endpoints, t.env, ["dlq", "list", "--json"]));
  assert.equal(list.total, 5);
  assert.equal(
    list.groups.reduce((n, g) => n + g.count, 0),
    5,
  );
  assert.deepEqual([...new Set(list.groups.map((g) => g.code))], ["item_too_large"]);
  const show = await cli(endpoints, t.env, ["dlq", "show", "--partition", "0", "--offset", "0", "--json"]);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /"code": "item_too_large"/);

  // Without the fix every record fails again: back in the DLQ with attempt 2 (exit 1).
  const again = await cli(endpoints, t.env, ["dlq", "redrive", "--json"]);
  assert.equal(again.code, 1, again.stderr);
  assert.deepEqual(parsed<RedriveOut>(again).counts, { dead_lettered: 5 });
  const relisted = parsed<ListOut>(await cli(endpoints, t.env, ["dlq", "list", "--json"]));
  assert.equal(relisted.total, 10);
  assert.equal(Math.max(...relisted.groups.map((g) => g.maxAttempts)), 2);

  // With gzip: a dry run first (nothing written), then the redrive of the five copies at attempt 2.
  const gzip = { ...t.env, ITEM_COMPRESSION: "gzip" };
  const itemsBefore = await scanTable(endpoints.dynamodbEndpoint, t.table);
  const dry = await cli(endpoints, gzip, ["dlq", "redrive", "--dry-run", "--json"]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual(parsed<RedriveOut>(dry).counts, { applied: 3, stale: 2 });
  assert.equal((await scanTable(endpoints.dynamodbEndpoint, t.table)).size, itemsBefore.size);
  const done = await cli(endpoints, gzip, ["dlq", "redrive", "--json"]);
  assert.equal(done.code, 0, done.stderr);
  // Key 4's dead letters (versions 10 and 20) are older than its applied version 30: stale.
  assert.deepEqual(parsed<RedriveOut>(done).counts, { applied: 3, stale: 2 });
  const items = await scanTable(endpoints.dynamodbEndpoint, t.table);
  assert.equal(items.size, 5);
  assert.ok(items.get("pg.app.public.customers:[1]")?.["_cdc_row_gzip"]?.B !== undefined);
  assert.match(items.get("pg.app.public.customers:[4]")?.["_cdc_version"]?.S ?? "", /00000000000000000030$/);
  const evidence = await writeEvidence(endpoints.dynamodbEndpoint, t.table);
  assert.deepEqual(evidence, { regression: 0, duplicateEffect: 0, writes: 5 });
});

test("a redrive killed half-way and run again applies every record exactly once", async () => {
  const n = 600;
  // VERSION_COLUMN names a column the rows do not have: every record is missing_version poison.
  const t = await deadLettered(
    Array.from({ length: n }, (_, i) => change(i, 100 + i)),
    { VERSION_SOURCE: "column", VERSION_COLUMN: "rev" },
  );
  assert.equal(t.stats.dead_lettered, n);
  const group = `${t.env.KAFKA_GROUP_ID}.redrive`;
  const first = startCli(endpoints, t.env, ["dlq", "redrive", "--json"]);
  await waitFor(
    async () => {
      const [committed] = (await groupProgress(endpoints.kafkaBrokers, group, t.dlq)).get(0)!;
      return committed >= 50n;
    },
    { timeoutMs: 120_000, intervalMs: 20, message: "the redrive made no progress" },
  );
  first.child.kill("SIGKILL");
  await first.done;
  const [stoppedAt] = (await groupProgress(endpoints.kafkaBrokers, group, t.dlq)).get(0)!;
  assert.ok(stoppedAt < BigInt(n), `the kill came after the redrive finished (${stoppedAt})`);

  const second = await cli(endpoints, t.env, ["dlq", "redrive", "--json"]);
  assert.equal(second.code, 0, second.stderr);
  const out = parsed<RedriveOut>(second);
  // Resumed after the last committed record: at most the one in flight at the kill comes back duplicate.
  assert.equal(out.read, n - Number(stoppedAt));
  assert.ok((out.counts["duplicate"] ?? 0) <= 1, JSON.stringify(out.counts));
  assert.equal((await scanTable(endpoints.dynamodbEndpoint, t.table)).size, n);
  assert.deepEqual(await writeEvidence(endpoints.dynamodbEndpoint, t.table), {
    regression: 0,
    duplicateEffect: 0,
    writes: n,
  });
});
