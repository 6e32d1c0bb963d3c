import assert from "node:assert/strict";
import { test } from "node:test";
import { Outcome } from "../../../src/core/types.ts";
import { Stats, emptyCounts, finished, summaryLine } from "../../../src/engine/stats.ts";

test("empty counts: every outcome and the three other counters at zero", () => {
  assert.deepEqual(emptyCounts(), {
    consumed: 0,
    released: 0,
    retries: 0,
    applied: 0,
    duplicate: 0,
    stale: 0,
    skipped: 0,
    dead_lettered: 0,
  });
  assert.notEqual(emptyCounts(), emptyCounts(), "a fresh object each time");
});

test("counts per partition and in total; a listener hears outcomes and retries", () => {
  const heard: string[] = [];
  const stats = new Stats({
    onOutcome: (t, p, o, n) => heard.push(`${t}/${p} ${o} ${n}`),
    onRetry: (t, p, code) => heard.push(`${t}/${p} retry ${code}`),
  });
  stats.consumed("a", 0);
  stats.consumed("a", 0, 4);
  stats.consumed("b", 1, 2);
  stats.outcome("a", 0, Outcome.applied);
  stats.outcome("a", 0, Outcome.stale, 3);
  stats.outcome("b", 1, Outcome.deadLettered);
  stats.released("b", 1);
  stats.released("a", 0, 2);
  stats.retry("a", 0, "dynamodb_ThrottlingException");
  assert.deepEqual(stats.total, {
    ...emptyCounts(),
    consumed: 7,
    applied: 1,
    stale: 3,
    dead_lettered: 1,
    released: 3,
    retries: 1,
  });
  assert.deepEqual(
    new Map(stats.partitions()),
    new Map([
      ["a/0", { ...emptyCounts(), consumed: 5, applied: 1, stale: 3, released: 2, retries: 1 }],
      ["b/1", { ...emptyCounts(), consumed: 2, dead_lettered: 1, released: 1 }],
    ]),
  );
  assert.deepEqual(heard, [
    "a/0 applied 1",
    "a/0 stale 3",
    "b/1 dead_lettered 1",
    "a/0 retry dynamodb_ThrottlingException",
  ]);
});

test("a listener without hooks, or none, is fine", () => {
  for (const stats of [new Stats(), new Stats({})]) {
    stats.outcome("a", 0, Outcome.skipped);
    stats.retry("a", 0, "x");
    assert.equal(stats.total.skipped, 1);
    assert.equal(stats.total.retries, 1);
  }
});

test("finished counts the records with a final outcome: not consumed, released or retries", () => {
  const c = { ...emptyCounts(), consumed: 100, released: 50, retries: 7 };
  assert.equal(finished(c), 0);
  Object.assign(c, { applied: 1, duplicate: 2, stale: 4, skipped: 8, dead_lettered: 16 });
  assert.equal(finished(c), 31);
});

test("the summary line names every counter with its value", () => {
  const c = {
    consumed: 40,
    applied: 10,
    duplicate: 9,
    stale: 8,
    skipped: 7,
    dead_lettered: 6,
    released: 5,
    retries: 4,
  };
  assert.equal(
    summaryLine(c),
    "consumed=40 applied=10 duplicate=9 stale=8 skipped=7 dead_lettered=6 released=5 retries=4",
  );
});
