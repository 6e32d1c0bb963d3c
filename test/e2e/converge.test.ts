// PostgreSQL → Debezium on Kafka Connect (JsonConverter, schemas enabled, Debezium's default
// converter settings) → the sink → DynamoDB. A concurrent workload runs in phases; after each, and
// after each disturbance (a Kafka Connect crash, a sink crash, an incremental snapshot over live
// data), `cdc-sink reconcile` must report no drift on every table. A truncate's rows are the one
// documented exception: the sink skips `op: t`, so reconcile reports exactly those rows as extra.

import assert from "node:assert/strict";
import { after, before, test, type TestContext } from "node:test";
import pg from "pg";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { killPart, startPart, startStack, stopStack } from "../../tools/stack/index.ts";
import { createTable } from "../support/dynamo.ts";
import { waitConsuming, type SinkProcess } from "../support/sink-process.ts";
import { waitConnectorRunning } from "../support/debezium-connect.ts";
import { pipelineNames } from "../support/names.ts";
import { waitFor } from "../support/wait.ts";
import { withPg } from "../support/postgres.ts";
import { cdcEndpoints } from "../support/stack.ts";
import {
  connectorConfig,
  converged,
  createSlot,
  createSource,
  endOffsets,
  readEvents,
  reconcile,
  repeats,
  startConnector,
  startSink,
  stopSink,
  teardown,
  waitCaughtUp,
  waitFence,
  waitSnapshotCompleted,
  type Cdc,
  type Pipeline,
  type Report,
} from "./pipeline.ts";
import { Workload, addStats, emptyStats, type WorkloadStats } from "./workload.ts";

// Kafka Connect is killed here: the suite gets a stack of its own, so that test files running at the
// same time on the shared stack (npm test runs two at once) never see Connect vanish. Set
// CDC_E2E_SHARED_STACK=1 to run on $CDC_SINK_STACK_DIR instead (quicker, when nothing else runs).
const SHARED = process.env["CDC_E2E_SHARED_STACK"] === "1";
const SESSIONS = 4;
const TRANSACTIONS = 50; // per session and phase
const TABLES = ["customers", "order_lines", "devices"];
let stackDir = process.env["CDC_SINK_STACK_DIR"] ?? "";

let p: Pipeline;
let workload: Workload;
let truncated: number[] = [];
let total: WorkloadStats = emptyStats();
const sinks = new Set<SinkProcess>();
const summary: Record<string, unknown> = {};

function sink(): SinkProcess {
  const s = startSink(p);
  sinks.add(s);
  void s.exited.then(() => sinks.delete(s));
  return s;
}

async function endpoints(): Promise<Cdc> {
  if (SHARED) return cdcEndpoints();
  stackDir = mkdtempSync(join(tmpdir(), "cdc-e2e-stack-"));
  const ep = await startStack({ dir: stackDir, withCdc: true });
  if (ep.postgresUrl === undefined || ep.connectUrl === undefined)
    throw new Error("the private stack has no CDC parts");
  return { ...ep, postgresUrl: ep.postgresUrl, connectUrl: ep.connectUrl };
}

before(async () => {
  const ep = await endpoints();
  const base = pipelineNames(ep, "e2e", "items");
  const database = await createSource(ep, base.schema, base.publication);
  p = {
    ...base,
    database,
    connectorConfig: connectorConfig({ ...base, database }, true, {}),
    reconcileFlags: [],
  };
  workload = new Workload(ep.postgresUrl, p.schema, SESSIONS);
  summary["snapshotRows"] = await workload.load({ customers: 700, orders: 500, devices: 200 }, 1);
  await createTable(ep.dynamodbEndpoint, p.table);
});

after(async () => {
  for (const s of sinks) s.child.kill("SIGKILL");
  if (SHARED) await teardown(p);
  else {
    await stopStack(stackDir);
    rmSync(stackDir, { recursive: true, force: true });
  }
});

/** Every table reconciles with no drift; `trunc` with exactly its truncated rows as extra. */
async function allConverged(t: TestContext, phase: string): Promise<void> {
  const tables = [...TABLES, ...(phase === "initial" ? [] : ["audit", "trunc"])];
  // Examples come in the comparison's key order: the canonical key text's string order.
  const inKeyOrder = [...truncated].sort((a, b) =>
    JSON.stringify([String(a)]) < JSON.stringify([String(b)]) ? -1 : 1,
  );
  const truncOk = (r: Report): boolean =>
    r.drift === truncated.length &&
    r.counts.extra === truncated.length &&
    JSON.stringify(r.examples.extra.map((e) => e.key)) ===
      JSON.stringify(inKeyOrder.slice(0, 10).map((id) => `{"id":${id}}`));
  const reports = await converged(p, tables, (r) =>
    r.table.endsWith(".trunc") ? truncOk(r) : r.drift === 0,
  );
  const brief = Object.fromEntries(
    reports.map((r) => [
      r.table.split(".")[1] ?? r.table,
      { rows: r.sourceRows, items: r.items, tombstones: r.tombstones, equal: r.equal, drift: r.drift },
    ]),
  );
  summary[`reconcile:${phase}`] = { ...brief, ms: reports[0]!.elapsedMs };
  t.diagnostic(`${phase}: reconcile ${JSON.stringify(summary[`reconcile:${phase}`])}`);
}

function clock(t: TestContext): (what: string) => void {
  const t0 = Date.now();
  return (what) => t.diagnostic(`${what} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function fenced(s: SinkProcess): Promise<void> {
  await waitFence(p, await workload.fence(), s);
  await waitCaughtUp(p);
}

test(
  "initial snapshot while a transaction is in flight: the streamed change wins over the " + "snapshot read",
  async (t) => {
    // The slot first, then a transaction that writes before the snapshot and commits after it.
    await createSlot(p);
    const a = new pg.Client({ connectionString: p.ep.postgresUrl });
    await a.connect();
    try {
      await a.query("BEGIN");
      await a.query(
        `UPDATE ${p.schema}.customers SET note = 'in flight', balance = 42 WHERE id BETWEEN 21 AND 25`,
      );
      // Other commits move the WAL on, so the snapshot's position is strictly past that change.
      await withPg(p.ep.postgresUrl, (c) => c.query(`UPDATE ${p.schema}.fence SET n = n WHERE id = 1`));
      const at = clock(t);
      await startConnector(p);
      at("connector running");
      const s = sink();
      await waitSnapshotCompleted(p, "Initial Snapshot");
      at("snapshot taken");
      await a.query("COMMIT");
      await fenced(s);
      at("fence");
      await allConverged(t, "initial");
      at("reconciled");
      summary["sink:initial"] = await stopSink(s);
    } finally {
      await a.end();
    }
    const events = (await readEvents(p)).filter(
      (e) =>
        e.topic.endsWith(".customers") &&
        /^\{"id":2[1-5]\}$/.test(e.key.replace(/^.*"payload":/, "").replace(/}$/, "")),
    );
    const reads = events.filter((e) => e.op === "r");
    const streamed = events.filter((e) => e.op === "u");
    assert.equal(reads.length, 5);
    assert.equal(streamed.length, 5);
    for (const u of streamed)
      assert.ok(
        BigInt(u.lsn) < BigInt(reads[0]!.lsn),
        `the change (lsn ${u.lsn}) precedes the snapshot position (${reads[0]!.lsn})`,
      );
    summary["inFlight"] = {
      snapshotLsn: reads[0]!.lsn,
      changeLsn: streamed[0]!.lsn,
      snapshotSequence: reads[0]!.sequence,
      changeSequence: streamed[0]!.sequence,
    };
  },
);

/** Resolves once Debezium has produced more than `n` events past the end offsets `from`. */
async function producedSince(from: Awaited<ReturnType<typeof endOffsets>>, n: number): Promise<void> {
  const sum = (offsets: typeof from): bigint => [...offsets.values()].reduce((a, o) => a + o, 0n);
  const start = sum(from);
  await waitFor(async () => sum(await endOffsets(p)) > start + BigInt(n), {
    timeoutMs: 120_000,
    intervalMs: 100,
    message: `${n} events produced`,
  });
}

test("phase 1: a concurrent workload with key changes, a truncate and a table created mid-run", async (t) => {
  const at = clock(t);
  const s = sink();
  await waitConsuming(s);
  // The table is created once the sink consumes and the workload is under way: its topic does not
  // exist when the sink subscribed.
  const from = await endOffsets(p);
  const late = producedSince(from, 200).then(() => workload.lateTable(300, 13));
  const [stats, trunc, audit] = await Promise.all([
    workload.run(TRANSACTIONS, 11),
    workload.truncateScenario(12),
    late,
  ]);
  at("workload");
  truncated = trunc;
  total = addStats(total, stats);
  summary["workload:1"] = { ...stats, truncatedLive: trunc.length, auditChanges: audit };
  await fenced(s);
  at("fence");
  await allConverged(t, "phase 1");
  at("reconciled");
  summary["sink:1"] = await stopSink(s);
  assert.match(s.output(), /new topics match KAFKA_TOPIC_PATTERN/);
});

test(
  "phase 2: Kafka Connect is killed and restarted mid-workload; Debezium re-emits, the sink counts " +
    "duplicates",
  async (t) => {
    const at = clock(t);
    const from = await endOffsets(p);
    const s = sink();
    const running = workload.run(TRANSACTIONS, 21);
    // Mid-stream: once Debezium has produced part of the phase, with offsets still unflushed.
    await producedSince(from, 300);
    // killPart returns once the process is gone (its ports are free for the restart).
    await killPart(stackDir, "connect", "SIGKILL");
    await startPart(stackDir, "connect");
    await waitConnectorRunning(p.ep.connectUrl, p.connector, 120_000);
    at("Connect restarted");
    const stats = await running;
    at("workload");
    total = addStats(total, stats);
    await fenced(s);
    at("fence");
    await allConverged(t, "phase 2");
    at("reconciled");
    const counts = await stopSink(s);
    const reEmitted = repeats(await readEvents(p, from));
    summary["workload:2"] = stats;
    summary["sink:2"] = counts;
    summary["reEmittedByDebezium"] = reEmitted;
    t.diagnostic(
      `Debezium re-emitted ${reEmitted} events; the sink counted duplicate=${counts["duplicate"]} ` +
        `stale=${counts["stale"]}`,
    );
    assert.ok(reEmitted > 0, "a SIGKILL of Connect mid-stream re-emits what was not flushed");
    assert.ok(
      (counts["duplicate"] ?? 0) + (counts["stale"] ?? 0) >= reEmitted,
      "every re-emitted event ended as duplicate or stale",
    );
  },
);

test("phase 3: the sink is SIGKILLed mid-workload and restarted", async (t) => {
  const at = clock(t);
  const first = sink();
  await waitConsuming(first);
  const from = await endOffsets(p);
  const running = workload.run(TRANSACTIONS, 31);
  // Mid-workload: once Debezium has produced part of the phase.
  await producedSince(from, 300);
  first.child.kill("SIGKILL");
  assert.equal((await first.exited).signal, "SIGKILL");
  const second = sink();
  const stats = await running;
  at("workload");
  total = addStats(total, stats);
  await fenced(second);
  at("fence");
  await allConverged(t, "phase 3");
  at("reconciled");
  summary["workload:3"] = stats;
  summary["sink:3 (after the kill)"] = await stopSink(second);
});

test("phase 4: an incremental snapshot over existing data while changes continue", async (t) => {
  const at = clock(t);
  const from = await endOffsets(p);
  const s = sink();
  const running = workload.run(TRANSACTIONS, 41);
  const collections = TABLES.map((x) => `"${p.schema}.${x}"`).join(", ");
  await withPg(p.ep.postgresUrl, (c) =>
    c.query(
      `INSERT INTO ${p.schema}.debezium_signal VALUES ('snap-1', 'execute-snapshot', '{"data-collections": ` +
        `[${collections}], "type": "incremental"}')`,
    ),
  );
  const stats = await running;
  at("workload");
  await waitSnapshotCompleted(p);
  at("snapshot completed");
  total = addStats(total, stats);
  await fenced(s);
  at("fence");
  await allConverged(t, "phase 4");
  at("reconciled");
  summary["workload:4"] = stats;
  summary["sink:4"] = await stopSink(s);
  const events = await readEvents(p, from);
  summary["incrementalSnapshotReads"] = events.filter(
    (e) => e.op === "r" && e.snapshot === "incremental",
  ).length;
  summary["debeziumEvents"] = [...(await endOffsets(p)).values()].reduce((n, o) => n + o, 0n).toString();
  summary["workloadTotal"] = total;
  assert.ok((summary["incrementalSnapshotReads"] as number) > 0);
});

test("reconcile --sample agrees, and deliberate drift is caught and named by key", async (t) => {
  const sampled = await reconcile(p, ["customers"], ["--sample", "300"]);
  assert.equal(sampled.code, 0, JSON.stringify(sampled.reports));
  assert.equal(sampled.reports[0]!.sourceRows, 300);
  const { tamper } = await import("./tamper.ts");
  const planted = await tamper(p, "customers");
  const { code, reports } = await reconcile(p, ["customers"]);
  const report = reports[0]!;
  assert.equal(code, 1);
  assert.deepEqual(report.counts, { missing: 1, extra: 1, different: 1, deleted_but_live: 1 });
  assert.deepEqual(report.examples.missing, [{ key: planted.missing }]);
  assert.deepEqual(report.examples.extra, [{ key: planted.extra }]);
  assert.deepEqual(report.examples.deleted_but_live, [{ key: planted.deletedButLive }]);
  assert.deepEqual(report.examples.different, [{ key: planted.different, columns: ["balance", "prefs"] }]);
  summary["planted"] = report.counts;
  t.diagnostic(`summary: ${JSON.stringify(summary)}`);
});
