import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Watermark } from "../../../src/engine/watermark.ts";

test("the watermark is the first offset without an outcome", () => {
  const w = new Watermark();
  assert.equal(w.committable(), undefined);
  for (const o of ["5", "6", "8", "9"]) w.register(o);
  assert.equal(w.committable(), "5");
  w.complete("6");
  assert.equal(w.committable(), "5");
  w.complete("5");
  assert.equal(w.committable(), "8");
  w.complete("9");
  w.complete("8");
  assert.equal(w.committable(), "10");
  assert.equal(w.pending, 0);
});

test("completing in any order never lets the watermark pass an unfinished offset", () => {
  fc.assert(
    fc.property(
      fc.array(fc.boolean(), { minLength: 1, maxLength: 200 }),
      fc.integer({ min: 0, max: 2 ** 32 }),
      (doneFlags, seed) => {
        const w = new Watermark();
        const offsets = doneFlags.map((_, i) => String(i * 2 + 1));
        offsets.forEach((o) => w.register(o));
        const order = offsets.map((o, i) => ({ o, k: (i * 7919 + seed) % 1009 })).sort((a, b) => a.k - b.k);
        for (const { o } of order) if (doneFlags[(Number(o) - 1) / 2]) w.complete(o);
        const firstUndone = doneFlags.indexOf(false);
        const expected = firstUndone === -1 ? String(offsets.length * 2) : offsets[firstUndone];
        assert.equal(w.committable(), expected);
      },
    ),
  );
});

test("offsets beyond 2^53 are tracked exactly", () => {
  const w = new Watermark();
  w.register("9007199254740993");
  w.complete("9007199254740993");
  assert.equal(w.committable(), "9007199254740994");
});

test("stalledSince reports how long records have waited without the watermark moving", () => {
  const w = new Watermark();
  assert.equal(w.stalledSince(), undefined);
  const t0 = Date.now();
  w.register("1");
  w.register("2");
  const since = w.stalledSince()!;
  assert.ok(since >= t0);
  w.complete("2"); // finishing a later record does not move the watermark
  assert.equal(w.stalledSince(), since);
  w.complete("1");
  assert.equal(w.stalledSince(), undefined);
});

test("a run far past the compaction threshold: committable() follows every completion, never back", () => {
  // Completion in order, one by one, over 3,000 offsets: the watermark compacts its entries once
  // more than 1,024 are done, and every committable() must still be the next offset to read.
  const w = new Watermark();
  const n = 3000;
  for (let i = 0; i < n; i++) assert.equal(w.register(String(i)), true);
  for (let i = 0; i < n; i++) {
    w.complete(String(i));
    assert.equal(w.committable(), String(i + 1));
  }
  assert.equal(w.pending, 0);
  // And it goes on after compaction: new offsets, a hole held open.
  w.register("5000");
  w.register("5001");
  w.complete("5001");
  assert.equal(w.committable(), "5000");
  w.complete("5000");
  assert.equal(w.committable(), "5002");
});

test("registering and completing out of order over thousands of offsets matches a plain model", () => {
  // Model: the smallest registered offset without an outcome, else the last registered + 1.
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.nat(40)), { minLength: 1500, maxLength: 2500 }),
      (steps) => {
        const w = new Watermark();
        const open: number[] = [];
        let next = 0;
        let previous = -1;
        for (const [gap, pick] of steps) {
          // Register one offset (gaps as on a compacted topic), then mostly complete one of the open
          // ones, so a few (up to 8) stay open, in any order.
          next += gap;
          w.register(String(next));
          open.push(next);
          if (open.length > pick % 8) {
            const [done] = open.splice(pick % open.length, 1);
            w.complete(String(done));
          }
          const expected = open.length > 0 ? Math.min(...open) : next + 1;
          assert.equal(w.committable(), String(expected));
          assert.ok(expected >= previous, "the model itself never moves back");
          previous = expected;
          assert.equal(w.pending, open.length);
        }
      },
    ),
    { numRuns: 15 },
  );
});

test("an offset at or below the last registered one is refused and changes nothing", () => {
  const w = new Watermark();
  assert.equal(w.register("5"), true);
  assert.equal(w.register("5"), false);
  assert.equal(w.register("4"), false);
  assert.equal(w.pending, 1);
  w.complete("5");
  assert.equal(w.committable(), "6");
  assert.equal(w.pending, 0);
  assert.equal(w.register("5"), false, "a finished offset cannot come back either");
  assert.equal(w.committable(), "6");
  assert.equal(w.register("6"), true);
  assert.equal(w.committable(), "6");
});

test("completing an unknown or already completed offset changes nothing", () => {
  const w = new Watermark();
  w.complete("1");
  assert.equal(w.committable(), undefined);
  w.register("1");
  w.register("2");
  w.complete("7");
  w.complete("2");
  w.complete("2");
  assert.equal(w.committable(), "1");
  assert.equal(w.pending, 1);
});

test("stalledSince is the time of the last advance, or of the first registration after none waited", (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: 1000 });
  const w = new Watermark();
  t.mock.timers.tick(4000);
  w.register("1");
  assert.equal(w.stalledSince(), 5000, "since the registration, not since the watermark was made");
  t.mock.timers.tick(1000);
  w.register("2");
  w.register("3");
  assert.equal(w.stalledSince(), 5000, "more records waiting is no progress");
  t.mock.timers.tick(1000);
  w.complete("2");
  assert.equal(w.stalledSince(), 5000, "a later record finishing does not move the watermark");
  t.mock.timers.tick(1000);
  w.complete("1");
  assert.equal(w.stalledSince(), 8000, "the watermark moved");
  t.mock.timers.tick(1000);
  w.complete("3");
  assert.equal(w.stalledSince(), undefined);
  t.mock.timers.tick(1000);
  w.register("4");
  assert.equal(w.stalledSince(), 10_000);
});
