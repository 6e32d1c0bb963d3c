// A store behind a proxy or load balancer that answers, now and then, with something that is not
// DynamoDB's JSON: an HTML 502 page (nginx), a plain-text 503 (Envoy), or the store's own 200 cut
// short on the way (the write happened, its answer does not parse). With either write client
// (DYNAMODB_WRITE_CLIENT) and either write shape, each is a transient store error: retried with the
// partition paused, nothing committed past a record not yet written, nothing dead-lettered, and in
// the end every record written. The start-up check (DescribeTable, always the SDK's) likewise asks
// again. The fault proxy is test/support/dynamo-fault-proxy.ts.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Producer } from "kafkajs";
import { finished } from "../../../src/engine/stats.ts";
import { stackEndpoints, type Endpoints } from "../../support/stack.ts";
import { createTopic } from "../../support/kafka.ts";
import { uniqueName } from "../../support/names.ts";
import { waitFor } from "../../support/wait.ts";
import { createTable, scanTable } from "../../support/dynamo.ts";
import { caughtUp, connectedProducer, groupProgress } from "../../support/kafka-progress.ts";
import { assertClean, judge } from "../../support/ledger.ts";
import { makeWorkload, produce } from "../../support/workload.ts";
import { startInProcess, type InProcessSink } from "../../support/sink-process.ts";
import { WRITES, startFaultProxy, type Fault, type FaultChooser } from "../../support/dynamo-fault-proxy.ts";

let endpoints: Endpoints;
let producer: Producer;

before(async () => {
  endpoints = stackEndpoints();
  producer = await connectedProducer(endpoints.kafkaBrokers);
});
after(async () => {
  await producer.disconnect();
});

/** A started sink and the exit code it ended with on its own, if it did. */
type Watched = { sink: InProcessSink; exitCode: () => number | undefined };

async function watched(env: Record<string, string>): Promise<Watched> {
  const sink = await startInProcess(endpoints, { DYNAMODB_REQUEST_TIMEOUT_MS: "1000", ...env });
  let code: number | undefined;
  void sink.exited.then((c) => (code = c));
  return { sink, exitCode: () => code };
}

/** Polls `done` until it holds; fails at once, with the sink's log, if the sink ended meanwhile. */
async function whileRunning(w: Watched, done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  await waitFor(async () => w.exitCode() !== undefined || (await done()), {
    timeoutMs: 120_000,
    intervalMs: 200,
    message: `${what} (${JSON.stringify(w.sink.stats.total)})`,
  });
  assert.equal(w.exitCode(), undefined, `the sink stopped while ${what}: ${fatalLines(w.sink)}`);
}

/** The log's fatal lines (the cause of a stop), or its tail when there are none. */
function fatalLines(sink: InProcessSink): string {
  const fatal = sink
    .logs()
    .split("\n")
    .filter((line) => line.includes('"level":"fatal"'));
  return fatal.length > 0 ? fatal.join("\n").slice(0, 3000) : sink.logs().slice(-3000);
}

const PAGES = ["502-page", "503-text"] as const;
const LATER: readonly Fault[] = ["502-page", "503-text", "garbled-200"];

for (const client of ["sdk", "direct"] as const) {
  for (const mode of ["put", "transact"] as const) {
    test(`${client} client, ${mode}: proxy pages and a garbled 200 are retried, never committed past`, async () => {
      const topic = uniqueName("pages");
      const table = uniqueName("pages");
      const group = uniqueName("g");
      await createTopic(endpoints.kafkaBrokers, topic, 3);
      await createTable(endpoints.dynamodbEndpoint, table);
      const workload = makeWorkload({ keys: 60, changesPerKey: 3, seed: 23 });
      await produce(producer, topic, workload.messages);
      // First every write is answered by a page; once released, every third write meets a fault.
      const state = { blocking: true, blocked: 0, writes: 0 };
      const choose: FaultChooser = (operation) => {
        if (!WRITES.has(operation)) return undefined;
        if (state.blocking) return PAGES[state.blocked++ % PAGES.length];
        return ++state.writes % 3 === 0 ? LATER[(state.writes / 3) % LATER.length] : undefined;
      };
      const proxy = await startFaultProxy(endpoints.dynamodbEndpoint, choose);
      let stopped: number;
      const w = await watched({
        KAFKA_TOPICS: topic,
        KAFKA_GROUP_ID: group,
        DYNAMODB_TABLE: table,
        DYNAMODB_ENDPOINT: proxy.endpoint,
        DYNAMODB_WRITE_CLIENT: client,
        WRITE_MODE: mode,
      });
      try {
        await whileRunning(w, () => state.blocked >= 6, "every write was answered by a page");
        // Nothing was written, so nothing may be committed and nothing dead-lettered.
        for (const [partition, [committed]] of await groupProgress(endpoints.kafkaBrokers, group, topic))
          assert.ok(committed <= 0n, `partition ${partition} committed ${committed} past unwritten records`);
        assert.equal(w.sink.stats.total.dead_lettered, 0);
        assert.equal((await scanTable(endpoints.dynamodbEndpoint, table)).size, 0);
        assert.ok(w.sink.stats.total.retries > 0, `no retries: ${JSON.stringify(w.sink.stats.total)}`);
        state.blocking = false;
        await whileRunning(
          w,
          async () =>
            w.sink.stats.total.consumed >= workload.messages.length &&
            finished(w.sink.stats.total) === w.sink.stats.total.consumed &&
            (await caughtUp(endpoints.kafkaBrokers, group, topic)),
          "the sink caught up",
        );
      } finally {
        // Stopped whatever happened; its code is asserted after, so a failure above is the one shown.
        stopped = await w.sink.stop("test done");
        await proxy.close();
      }
      assert.equal(stopped, 0, fatalLines(w.sink));
      const t = w.sink.stats.total;
      assert.equal(t.consumed, workload.messages.length);
      assert.equal(t.applied + t.duplicate + t.stale + t.skipped + t.dead_lettered, t.consumed);
      assert.equal(t.dead_lettered, 0);
      // Skipped: only Debezium's Kafka tombstones after deletes (the delete itself was written).
      assert.equal(t.skipped, workload.messages.filter((m) => m.value === null).length);
      for (const f of LATER) assert.ok(proxy.counts[f] > 0, `fault ${f} was injected`);
      assertClean(judge(await scanTable(endpoints.dynamodbEndpoint, table), workload));
    });
  }
}

test("start-up: DescribeTable answered by a proxy's page twice is asked again, then the sink runs", async () => {
  const topic = uniqueName("pages");
  const table = uniqueName("pages");
  const group = uniqueName("g");
  await createTopic(endpoints.kafkaBrokers, topic, 1);
  await createTable(endpoints.dynamodbEndpoint, table);
  const workload = makeWorkload({ keys: 10, changesPerKey: 2, seed: 5 });
  await produce(producer, topic, workload.messages);
  let describes = 0;
  const proxy = await startFaultProxy(endpoints.dynamodbEndpoint, (operation) =>
    operation === "DescribeTable" && ++describes <= 2 ? PAGES[describes - 1] : undefined,
  );
  try {
    const w = await watched({
      KAFKA_TOPICS: topic,
      KAFKA_GROUP_ID: group,
      DYNAMODB_TABLE: table,
      DYNAMODB_ENDPOINT: proxy.endpoint,
    });
    let stopped: number;
    try {
      await whileRunning(w, () => caughtUp(endpoints.kafkaBrokers, group, topic), "the sink caught up");
    } finally {
      stopped = await w.sink.stop("test done");
    }
    assert.equal(stopped, 0, fatalLines(w.sink));
    assert.ok(describes >= 3, `DescribeTable asked ${describes} times`);
    assert.equal(proxy.counts["502-page"] + proxy.counts["503-text"], 2);
  } finally {
    await proxy.close();
  }
  assertClean(judge(await scanTable(endpoints.dynamodbEndpoint, table), workload));
});
