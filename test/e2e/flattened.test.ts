// The same PostgreSQL pipeline with Debezium's ExtractNewRecordState transform (docs/formats/
// flattened.md): add.fields=op,lsn,source.ts_ms (and name,db,schema,table, the source name of the
// item keys), deletes rewritten with __deleted=true, and heartbeats every 200 ms on a topic the
// sink's pattern matches. The snapshot and a concurrent workload (interleaved transactions,
// deletes, re-inserts, key changes) converge with no reconcile drift; every heartbeat is skipped,
// none dead-lettered; a replay of the whole feed by a new group applies nothing.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTable } from "../support/dynamo.ts";
import { waitConsuming, type SinkProcess } from "../support/sink-process.ts";
import { pipelineNames } from "../support/names.ts";
import { cdcEndpoints } from "../support/stack.ts";
import { groupProgress } from "../support/kafka-progress.ts";
import { waitFor } from "../support/wait.ts";
import {
  UNWRAP,
  brief,
  connectorConfig,
  converged,
  createSource,
  eventCount,
  replay,
  startConnector,
  startSink,
  stopSink,
  teardown,
  waitCaughtUp,
  waitFence,
  type Pipeline,
} from "./pipeline.ts";
import { Workload } from "./workload.ts";

const TABLES = ["customers", "order_lines", "devices"];

let p: Pipeline;
let workload: Workload;
const sinks = new Set<SinkProcess>();
const summary: Record<string, unknown> = {};

function heartbeatTopic(): string {
  return `__debezium-heartbeat.${p.prefix}`;
}

function sink(group = p.group): SinkProcess {
  const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const s = startSink(
    { ...p, group },
    {
      RECORD_FORMAT: "flattened",
      // The tables' topics and the heartbeat topic; no DLQ: a poison record would stop the sink.
      KAFKA_TOPIC_PATTERN: `^(${escaped(`${p.prefix}.${p.schema}.`)}|${escaped(heartbeatTopic())}$)`,
    },
  );
  sinks.add(s);
  void s.exited.then(() => sinks.delete(s));
  return s;
}

before(async () => {
  const ep = cdcEndpoints();
  const base = pipelineNames(ep, "e2e_flat", "items");
  const database = await createSource(ep, base.schema, base.publication);
  p = {
    ...base,
    database,
    connectorConfig: connectorConfig({ ...base, database }, true, {
      ...UNWRAP,
      "heartbeat.interval.ms": "200",
    }),
    reconcileFlags: [],
  };
  workload = new Workload(ep.postgresUrl, p.schema, 3);
  summary["snapshotRows"] = await workload.load({ customers: 300, orders: 200, devices: 100 }, 201);
  await createTable(ep.dynamodbEndpoint, p.table);
  await startConnector(p);
});

after(async () => {
  for (const s of sinks) s.child.kill("SIGKILL");
  await teardown(p);
});

test("flattened records: snapshot and a concurrent workload converge; heartbeats are skipped", async (t) => {
  const s = sink();
  await waitConsuming(s);
  summary["workload"] = await workload.run(40, 202);
  await waitFence(p, await workload.fence(), s);
  await waitCaughtUp(p);
  // Heartbeats keep coming (every 200 ms), so the topic's end moves on: wait for a commit on it.
  await waitFor(
    async () => {
      const progress = await groupProgress(p.ep.kafkaBrokers, p.group, heartbeatTopic());
      return [...progress.values()].some(([committed]) => committed > 0n);
    },
    { timeoutMs: 60_000, message: "the heartbeat topic was not consumed" },
  );
  const reports = await converged(p, TABLES);
  summary["reconcile"] = brief(reports);
  const counts = await stopSink(s);
  const stopped = JSON.parse(
    s
      .output()
      .split("\n")
      .find((l) => l.includes('"msg":"stopped:'))!,
  ) as {
    skipped: Record<string, number>;
  };
  summary["sink"] = counts;
  summary["skipped"] = stopped.skipped;
  summary["debeziumEvents"] = await eventCount(p);
  t.diagnostic(`flattened: ${JSON.stringify(summary)}`);
  assert.ok(reports.every((r) => r.sourceRows > 0 && r.drift === 0));
  assert.equal(counts["dead_lettered"], 0);
  assert.ok((stopped.skipped["heartbeat"] ?? 0) > 0, "heartbeats were consumed and skipped");
  assert.equal(counts["skipped"], stopped.skipped["heartbeat"], "the only skips are heartbeats");
  assert.ok((counts["applied"] ?? 0) > 0);
});

test("a replay of the flattened feed by a new group applies nothing", async (t) => {
  const counts = await replay(p, sink);
  t.diagnostic(`replay: ${JSON.stringify(counts)}`);
  assert.equal(counts["applied"], 0);
  assert.equal(counts["dead_lettered"], 0);
  assert.ok((counts["duplicate"] ?? 0) + (counts["stale"] ?? 0) > 0);
  const reports = await converged(p, TABLES);
  assert.ok(reports.every((r) => r.drift === 0));
});
