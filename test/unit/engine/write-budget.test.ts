// The write budget's token bucket (src/engine/write-budget.ts): what may be spent at once, in debt
// and after a correction (a clock of the test's own), and the rate it holds over time (the real
// clock).

import assert from "node:assert/strict";
import { test } from "node:test";
import { WriteBudget, writeUnits } from "../../../src/engine/write-budget.ts";

async function settled<T>(p: Promise<T>): Promise<{ value: T } | "pending"> {
  const marker = Symbol("pending");
  const result = await Promise.race([p, new Promise<typeof marker>((r) => setImmediate(() => r(marker)))]);
  return result === marker ? "pending" : { value: result as T };
}

test("write units: 1 per started KB, at least 1; twice that in a transaction", () => {
  assert.equal(writeUnits(0, false), 1);
  assert.equal(writeUnits(1024, false), 1);
  assert.equal(writeUnits(1025, false), 2);
  assert.equal(writeUnits(10 * 1024, false), 10);
  assert.equal(writeUnits(1, true), 2);
  assert.equal(writeUnits(1025, true), 4);
});

test("starts empty and holds at most a fiftieth of a second of units", async () => {
  let now = 0;
  const budget = new WriteBudget(200, () => now);
  assert.equal(budget.tokens, 0);
  const ac = new AbortController();
  assert.equal(await settled(budget.take(1, ac.signal)), "pending");
  ac.abort();
  now = 60_000; // a long idle time fills only the bucket: 200 / 50 = 4 units
  assert.equal(budget.tokens, 4);
  for (let i = 0; i < 4; i++) assert.deepEqual(await settled(budget.take(1)), { value: true });
  assert.deepEqual(await settled(budget.take(1, AbortSignal.abort())), { value: false });
});

test("a write larger than the bucket goes once it is full and leaves it in debt", async () => {
  let now = 0;
  const budget = new WriteBudget(250, () => now); // bucket of 5
  now = 50; // 12.5 units, capped at 5
  assert.deepEqual(await settled(budget.take(12)), { value: true });
  assert.equal(budget.tokens, -7);
  now = 54; // +1 → -6: still in debt
  assert.equal(budget.tokens, -6);
});

test("settle gives back what the store did not charge, and charges what it did beyond the estimate", () => {
  let now = 0;
  const budget = new WriteBudget(250, () => now); // bucket of 5
  now = 50;
  void budget.take(4);
  assert.equal(budget.tokens, 1);
  budget.settle(4, 1); // the store said 1
  assert.equal(budget.tokens, 4);
  budget.settle(1, 9); // the store said 9 for an estimate of 1
  assert.equal(budget.tokens, -4);
  budget.settle(0, -100); // never above the bucket
  assert.equal(budget.tokens, 5);
});

test("waiters are served in order: a large write is not overtaken by small ones", async () => {
  const budget = new WriteBudget(1000); // real clock; bucket of 20
  const order: string[] = [];
  const big = budget.take(40).then(() => order.push("big"));
  const small = budget.take(1).then(() => order.push("small"));
  await Promise.all([big, small]);
  assert.deepEqual(order, ["big", "small"]);
});

test("an aborted waiter is answered false and the next one is served", async () => {
  const budget = new WriteBudget(100); // real clock
  const ac = new AbortController();
  const first = budget.take(5, ac.signal);
  const second = budget.take(1);
  ac.abort();
  assert.equal(await first, false);
  assert.equal(await second, true);
});

test("over time the bucket holds the rate: 300 units at 1 000/s take about 0.3 s, never less", async () => {
  const budget = new WriteBudget(1000);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 300 }, () => budget.take(1)));
  const elapsed = performance.now() - t0;
  // Starting empty, 300 units need 300 ms of refill (the bucket of 20 only smooths, it is not a head start).
  assert.ok(elapsed >= 290, `took ${elapsed} ms`);
  assert.ok(elapsed < 1500, `took ${elapsed} ms`);
});
