// `cdc-sink lag` against the admin API's own numbers, and `cdc-sink offsets reset`: a plan that
// changes nothing, --to-time landing on the first offset at or after the time, and a refusal
// while a member is joined.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Consumer, Producer } from "kafkajs";
import type { LagReport } from "../../../src/ops/lag.ts";
import type { ResetPlan } from "../../../src/ops/offsets.ts";
import { createTopic, kafkaClient, withAdmin } from "../../support/kafka.ts";
import { connectedProducer, groupProgress } from "../../support/kafka-progress.ts";
import { uniqueName } from "../../support/names.ts";
import { stackEndpoints, type Endpoints } from "../../support/stack.ts";
import { waitFor } from "../../support/wait.ts";
import { cli, parsed, send } from "./cli.ts";

let endpoints: Endpoints;
let producer: Producer;
const topic = uniqueName("lag");
const group = uniqueName("g");
const T0 = Date.parse("2026-11-30T14:00:00Z");
/** Record i of partition p has timestamp T0 + (10 p + i) s: 10 records per partition. */
const ts = (p: number, i: number) => T0 + (10 * p + i) * 1000;
let env: Record<string, string>;

const committedByPartition = (progress: Map<number, [bigint, bigint]>) =>
  [...progress].map(([p, [c]]) => [p, c]).sort((a, b) => Number(a[0]) - Number(b[0]));

before(async () => {
  endpoints = stackEndpoints();
  producer = await connectedProducer(endpoints.kafkaBrokers);
  await createTopic(endpoints.kafkaBrokers, topic, 3);
  for (let p = 0; p < 3; p++)
    await send(
      producer,
      topic,
      Array.from({ length: 10 }, (_, i) => ({
        key: Buffer.from(`k${p}-${i}`),
        value: Buffer.from("{}"),
        partition: p,
        timestamp: String(ts(p, i)),
      })),
    );
  // Partition 0 committed at 3, partition 2 at 10 (caught up), partition 1 never.
  await withAdmin(endpoints.kafkaBrokers, async (admin) => {
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: [
        { partition: 0, offset: "3" },
        { partition: 2, offset: "10" },
      ],
    });
  });
  env = { KAFKA_TOPICS: topic, KAFKA_GROUP_ID: group };
});
after(async () => {
  await producer.disconnect();
});

test("lag equals the admin API's committed and end offsets; the age is the first uncommitted's", async () => {
  const r = await cli(endpoints, env, ["lag", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const report = parsed<LagReport>(r);
  const admin = await groupProgress(endpoints.kafkaBrokers, group, topic);
  for (const row of report.partitions) {
    const [committed, end] = admin.get(row.partition)!;
    assert.equal(row.committed, committed < 0n ? null : String(committed));
    assert.equal(row.end, String(end));
    assert.equal(row.lag, String(end - (committed < 0n ? 0n : committed)));
  }
  assert.deepEqual(
    report.partitions.map((p) => p.oldestUncommittedMs),
    [ts(0, 3), ts(1, 0), null],
  );
  assert.equal(report.totalLag, "17");
  assert.equal(report.members.length, 0);
});

test("reset --to-time plans the first offset at or after the time; only --execute applies it", async () => {
  const at = new Date(ts(1, 4) - 500).toISOString(); // between records 3 and 4 of partition 1
  const plan = await cli(endpoints, env, ["offsets", "reset", "--to-time", at, "--json"]);
  assert.equal(plan.code, 0, plan.stderr);
  const p = parsed<ResetPlan>(plan);
  // Partition 0's records are all older (→ its end); partition 1 → offset 4; partition 2 all newer → 0.
  assert.deepEqual(
    p.partitions.map((r) => [r.partition, r.target]),
    [
      [0, "10"],
      [1, "4"],
      [2, "0"],
    ],
  );
  assert.equal(p.executed, false);
  const unchanged = await groupProgress(endpoints.kafkaBrokers, group, topic);
  assert.deepEqual(committedByPartition(unchanged), [
    [0, 3n],
    [1, -1n],
    [2, 10n],
  ]);

  const done = await cli(endpoints, env, ["offsets", "reset", "--to-time", at, "--execute", "--json"]);
  assert.equal(done.code, 0, done.stderr);
  assert.equal(parsed<ResetPlan>(done).executed, true);
  const moved = await groupProgress(endpoints.kafkaBrokers, group, topic);
  assert.deepEqual(committedByPartition(moved), [
    [0, 10n],
    [1, 4n],
    [2, 0n],
  ]);
});

test("reset --execute is refused while a member is joined, and changes nothing", async () => {
  const consumer: Consumer = kafkaClient(endpoints.kafkaBrokers).consumer({ groupId: group });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic] });
    await consumer.run({ autoCommit: false, eachMessage: () => Promise.resolve() });
    await waitFor(() => joined, { timeoutMs: 60_000, message: "the member did not join" });
    const before = await groupProgress(endpoints.kafkaBrokers, group, topic);
    const r = await cli(endpoints, env, ["offsets", "reset", "--to-earliest", "--execute"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /refused, nothing changed: group \S+ has 1 member\(s\)/);
    assert.deepEqual(await groupProgress(endpoints.kafkaBrokers, group, topic), before);
    const lag = parsed<LagReport>(await cli(endpoints, env, ["lag", "--json", "--no-age"]));
    assert.equal(lag.members.length, 1);
    assert.equal(lag.state, "Stable");
  } finally {
    await consumer.disconnect();
  }
});
