// The Grafana dashboard queries only metrics the sink serves on /metrics, with the labels they have,
// and shows what an operator needs: lag, throughput by outcome, freshness, retries, in-flight, paused.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { Stats } from "../../../src/engine/stats.ts";
import { TransientError } from "../../../src/core/errors.ts";
import { createLog } from "../../../src/telemetry/log.ts";
import { instrumentService } from "../../../src/telemetry/instrument.ts";
import { localTelemetry } from "../../../src/telemetry/otel.ts";
import { pgRecord } from "../../support/debezium-records.ts";

type Panel = {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; w: number };
  targets?: { expr: string }[];
};
const dashboard = JSON.parse(
  readFileSync(new URL("../../../deploy/grafana/cdc-dynamodb-sink.json", import.meta.url), "utf8"),
) as { uid: string; panels: Panel[] };
const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

/** Names and labels of everything a live sink serves, from a /metrics scrape after some activity. */
async function served(): Promise<{ names: Set<string>; labels: Set<string> }> {
  const log = createLog("silent");
  const t = instrumentService(localTelemetry(), log, "g");
  const stats = new Stats();
  stats.consumed("orders", 0);
  stats.outcome("orders", 0, "applied");
  t.observe(stats, {
    inFlight: () => 1,
    limit: () => 8,
    buffered: () => 0,
    pausedPartitions: () => 0,
    ready: () => true,
  });
  const record = { ...pgRecord({ op: "c", id: 1, lsn: 1 }, 0), topic: "orders" };
  t.observer.received?.(record);
  t.observer.retrying?.(record, new TransientError("dynamodb_ThrottlingException", "x"), 1, 10);
  t.observer.finished?.(record, "applied");
  t.sourceListener.onRebalance?.();
  t.sourceListener.onBatch?.("orders", 0, "10", "0");
  t.sourceListener.onCommit?.([{ topic: "orders", partition: 0, offset: "10" }], 4);
  await t
    .deadLetter({ publish: () => Promise.resolve() }, "orders.dlq")
    .publish(record, new TransientError("dlq_publish", "y"), 1);
  const text = await t.metricsText();
  await t.close();
  const names = new Set<string>();
  const labels = new Set<string>(["le", "job", "instance"]);
  for (const line of text.split("\n")) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? /.exec(line);
    if (m === null) continue;
    names.add(m[1]!);
    for (const pair of (m[2] ?? "").split(",")) if (pair !== "") labels.add(pair.slice(0, pair.indexOf("=")));
  }
  // Histograms without samples yet still name their series.
  for (const base of ["cdc_sink_write_duration", "cdc_sink_freshness"])
    for (const s of ["_bucket", "_sum", "_count"]) names.add(`${base}${s}`);
  return { names, labels };
}

test("every metric and label the dashboard queries is served on /metrics", async () => {
  const { names, labels } = await served();
  assert.ok(exprs.length > 15);
  for (const expr of exprs) {
    for (const [name] of expr.matchAll(/\bcdc_sink_[a-z_]+/g))
      assert.ok(names.has(name), `${name} (in ${expr}) is not served`);
    for (const [, inner] of expr.matchAll(/by \(([^)]*)\)/g))
      for (const l of inner!.split(",")) assert.ok(labels.has(l.trim()), `label ${l} in ${expr}`);
    for (const [, l] of expr.matchAll(/([a-z_]+)=~?"/g)) assert.ok(labels.has(l!), `label ${l} in ${expr}`);
  }
});

test("the dashboard shows lag, outcomes, freshness, retries, in-flight writes and paused partitions", () => {
  for (const name of [
    "cdc_sink_consumer_lag",
    "cdc_sink_records_total",
    "cdc_sink_freshness_bucket",
    "cdc_sink_retries_total",
    "cdc_sink_writes_in_flight",
    "cdc_sink_paused_partitions",
  ]) {
    assert.ok(
      exprs.some((e) => e.includes(name)),
      name,
    );
  }
  const ids = dashboard.panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, "panel ids are unique");
  for (const p of dashboard.panels) assert.ok(p.gridPos.x + p.gridPos.w <= 24, `${p.title} fits the grid`);
});
