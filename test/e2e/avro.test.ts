// PostgreSQL → Debezium with Apicurio's Avro converter (the Confluent wire format; schemas registered
// in Apicurio Registry 3.3.3 through its v2 API, read back by the sink through /apis/ccompat/v7) →
// `cdc-sink run` with RECORD_ENCODING=avro → DynamoDB. Two connectors read one source schema at
// once, so one workload feeds both formats: the Debezium envelope, and ExtractNewRecordState's
// flattened rows. The snapshot, a concurrent workload (interleaved transactions, deletes,
// re-inserts, key changes) and a restart of both connectors mid-workload converge with no reconcile
// drift. Then a TRUNCATE with TRUNCATE_POLICY=apply: the envelope feed tombstones every row live at
// the truncate and keeps the rows inserted after it; the flattened feed never sees it (the transform
// drops truncates), so its truncated rows stay as extra items. A replay of each feed by a new group
// applies nothing.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTable, scanTable } from "../support/dynamo.ts";
import { restartConnector } from "../support/debezium-connect.ts";
import { waitConsuming, type SinkProcess } from "../support/sink-process.ts";
import { uniqueName } from "../support/names.ts";
import { cdcEndpoints } from "../support/stack.ts";
import { waitFor } from "../support/wait.ts";
import {
  UNWRAP,
  avroConverters,
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
// Small by default (CI time); CDC_E2E_AVRO_TRANSACTIONS raises the transactions per session.
const TRANSACTIONS = Number(process.env["CDC_E2E_AVRO_TRANSACTIONS"] ?? "30");

type Feed = { name: "envelope" | "flattened"; p: Pipeline; env: Record<string, string> };

let feeds: Feed[] = [];
let workload: Workload;
const sinks = new Set<SinkProcess>();
const summary: Record<string, unknown> = {};

function sink(feed: Feed, group = feed.p.group): SinkProcess {
  // No DLQ: a record the sink cannot read would stop it (exit 4), and stopSink would fail the test.
  const s = startSink({ ...feed.p, group }, feed.env);
  sinks.add(s);
  void s.exited.then(() => sinks.delete(s));
  return s;
}

before(async () => {
  const ep = cdcEndpoints();
  if (ep.registryUrl === undefined)
    throw new Error("the stack has no registry: start it with --with-registry");
  const shared = { ep, schema: uniqueName("e2e_avro"), publication: uniqueName("pub") };
  const database = await createSource(ep, shared.schema, shared.publication);
  const env = { RECORD_ENCODING: "avro", SCHEMA_REGISTRY_URL: ep.registryUrl, TRUNCATE_POLICY: "apply" };
  feeds = (["envelope", "flattened"] as const).map((name) => {
    const base = {
      ...shared,
      database,
      prefix: uniqueName("cdc"),
      connector: uniqueName("conn"),
      slot: uniqueName("slot"),
      table: uniqueName("items"),
      group: uniqueName("sink"),
    };
    const extra = {
      ...avroConverters(ep.registryUrl!),
      ...(name === "flattened" ? UNWRAP : {}),
      // Debezium drops truncates at the source unless told not to (its default is "t").
      "skipped.operations": "none",
    };
    return {
      name,
      p: { ...base, connectorConfig: connectorConfig(base, false, extra), reconcileFlags: [] },
      env: name === "flattened" ? { ...env, RECORD_FORMAT: "flattened" } : env,
    };
  });
  workload = new Workload(ep.postgresUrl, shared.schema, 3);
  summary["snapshotRows"] = await workload.load({ customers: 200, orders: 150, devices: 80 }, 301);
  for (const { p } of feeds) {
    await createTable(ep.dynamodbEndpoint, p.table);
    await startConnector(p);
  }
});

after(async () => {
  for (const s of sinks) s.child.kill("SIGKILL");
  for (const { p } of feeds) await teardown(p);
});

test("Avro envelope and Avro flattened feeds: snapshot, workload and connector restarts converge", async (t) => {
  const t0 = Date.now();
  const running = feeds.map((f) => sink(f));
  for (const s of running) await waitConsuming(s);
  const before = await eventCount(feeds[0]!.p);
  const work = workload.run(TRANSACTIONS, 302);
  // Mid-workload: once the envelope connector has streamed part of it, restart both connectors.
  await waitFor(async () => (await eventCount(feeds[0]!.p)) > before + 150, {
    timeoutMs: 120_000,
    intervalMs: 100,
    message: "the workload's events did not come",
  });
  for (const { p } of feeds) await restartConnector(p.ep.connectUrl, p.connector);
  summary["workload"] = await work;
  const fence = await workload.fence();
  for (const [i, f] of feeds.entries()) {
    await waitFence(f.p, fence, running[i]!);
    await waitCaughtUp(f.p);
    const reports = await converged(f.p, TABLES);
    const counts = await stopSink(running[i]!);
    summary[f.name] = { events: await eventCount(f.p), sink: counts, reconcile: brief(reports) };
    assert.ok(
      reports.every((r) => r.sourceRows > 0 && r.drift === 0),
      JSON.stringify(reports),
    );
    assert.equal(counts["dead_lettered"], 0);
    assert.ok((counts["applied"] ?? 0) > 0);
  }
  t.diagnostic(`avro: ${JSON.stringify(summary)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});

test("a truncate: the envelope feed tombstones the rows live at it, the flattened feed never sees it", async (t) => {
  const t0 = Date.now();
  const running = feeds.map((f) => sink(f));
  for (const s of running) await waitConsuming(s);
  const truncated = await workload.truncateScenario(303);
  const fence = await workload.fence();
  for (const [i, f] of feeds.entries()) {
    await waitFence(f.p, fence, running[i]!);
    await waitCaughtUp(f.p);
  }
  const [envelope, flattened] = feeds as [Feed, Feed];
  // The envelope: no drift on trunc either (its truncated rows are tombstones now).
  const reports = await converged(envelope.p, [...TABLES, "trunc"]);
  const items = [...(await scanTable(envelope.p.ep.dynamodbEndpoint, envelope.p.table)).values()].filter(
    (i) => i["_cdc_source"]?.S?.endsWith(".trunc"),
  );
  const byOp = (op: string) => items.filter((i) => i["_cdc_op"]?.S === op);
  const live = items.filter((i) => i["_cdc_deleted"]?.BOOL === false).map((i) => Number(i["id"]?.N));
  // Flattened: ExtractNewRecordState dropped the truncate, so exactly those rows are extra.
  const flat = await converged(flattened.p, ["trunc"], (r) => r.drift === truncated.length);
  const counts = await Promise.all(running.map((s) => stopSink(s)));
  const line = running[0]!
    .output()
    .split("\n")
    .find((l) => l.includes("truncate applied:"));
  const applied = JSON.parse(line ?? "{}") as { tombstoned?: number; untouched?: number };
  summary["truncate"] = {
    liveAtTruncate: truncated.length,
    envelope: {
      reconcile: brief(reports),
      sink: counts[0],
      tombstoned: applied.tombstoned,
      untouched: applied.untouched,
    },
    flattened: { reconcile: brief(flat), sink: counts[1] },
    ms: Date.now() - t0,
  };
  t.diagnostic(`truncate: ${JSON.stringify(summary["truncate"])}`);
  assert.ok(
    reports.every((r) => r.drift === 0),
    JSON.stringify(reports),
  );
  assert.ok(truncated.length > 0);
  // Rows 1..200 were inserted before the truncate (some deleted): each item got the truncate's tombstone.
  assert.equal(byOp("t").length, 200 - live.filter((id) => id <= 200).length);
  assert.ok((applied.tombstoned ?? 0) >= truncated.length, line);
  assert.ok(live.length > 0 && live.length <= 40, "only rows inserted after the truncate are live");
  assert.equal(counts[0]!["dead_lettered"], 0);
  assert.equal(counts[1]!["skipped"], 0, "the flattened feed has no truncate to skip");
});

test("a replay of each Avro feed by a new group applies nothing", async (t) => {
  for (const f of feeds) {
    const counts = await replay(f.p, (group) => sink(f, group));
    t.diagnostic(`replay ${f.name}: ${JSON.stringify(counts)}`);
    assert.equal(counts["applied"], 0);
    assert.equal(counts["dead_lettered"], 0);
    assert.ok((counts["duplicate"] ?? 0) + (counts["stale"] ?? 0) > 0);
  }
  const [envelope, flattened] = feeds as [Feed, Feed];
  assert.ok((await converged(envelope.p, [...TABLES, "trunc"])).every((r) => r.drift === 0));
  assert.ok((await converged(flattened.p, TABLES)).every((r) => r.drift === 0));
});
