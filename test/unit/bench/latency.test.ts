// The latency arm's arithmetic (bench/latency.ts): the warm-up's records are reported apart and
// judged nowhere; the measured window's records give p50/p99, produce→sent, commit lag and the
// producer's acks.

import { test } from "node:test";
import assert from "node:assert/strict";
import { latencyFigures, type Commit } from "../../../bench/latency.ts";

const item = (producedAt: number, writtenAt: number, offset: number) => ({
  produced_at: { N: String(producedAt) },
  _cdc_written_at: { N: String(writtenAt) },
  _cdc_offset: { N: String(offset) },
  _cdc_partition: { N: "0" },
});

test("records produced before the window count only in the warm-up's p99", () => {
  const from = 10_000;
  // Warm-up: two slow records (2 s, 3 s). Window: 100 records at 10..109 ms.
  const items = new Map<string, ReturnType<typeof item>>([
    ["w1", item(1_000, 2_900, 0)],
    ["w2", item(2_000, 4_900, 1)],
  ]);
  const durableAt = new Map<string, number>([
    ["w1", 3_000],
    ["w2", 5_000],
  ]);
  for (let i = 0; i < 100; i++) {
    items.set(`k${i}`, item(from + i, from + i + 5 + i, 2 + i));
    durableAt.set(`k${i}`, from + i + 10 + i);
  }
  const commits = new Map<number, Commit[]>([[0, [{ at: from + 1_000, offset: 200n }]]]);
  const acked = [
    { producedAt: 1_000, ms: 900 },
    { producedAt: from, ms: 4 },
    { producedAt: from + 50, ms: 6 },
  ];
  const r = latencyFigures(
    items,
    commits,
    { rate: 10, sent: 102, measuredFrom: from, warmupSeconds: 5 },
    durableAt,
    acked,
  );
  assert.equal(r.records, 100);
  assert.equal(r.p99Ms, 108, "the window's worst but one, not the warm-up's 2 s");
  assert.equal(r.p50Ms, 59);
  assert.equal(r.sentP99Ms, 103);
  assert.equal(r.warmupP99Ms, 3_000);
  assert.equal(r.warmupSeconds, 5);
  assert.equal(r.ackedP99Ms, 6, "the warm-up's 900 ms ack is left out");
  assert.equal(r.unseen, 0);
});

test("an item without a noted reply, or never written, counts as unseen", () => {
  const items = new Map([["a", item(100, 101, 0)]]);
  const r = latencyFigures(
    items,
    new Map(),
    { rate: 1, sent: 3, measuredFrom: 0, warmupSeconds: 0 },
    new Map(),
    [],
  );
  assert.equal(r.unseen, 3);
  assert.ok(Number.isNaN(r.p99Ms));
});
