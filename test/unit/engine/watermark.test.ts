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
