// The comparison: every verdict of the state table, the examples cap, column counts, and (property)
// that the streaming merge over sorted runs judges exactly like a plain map lookup would.

import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { test } from "node:test";
import fc from "fast-check";
import { Tally, mergeCompare, type DriftKind } from "../../../src/reconcile/compare.ts";
import type { Entry } from "../../../src/reconcile/entry.ts";
import { SortedRuns } from "../../../src/reconcile/sorted-runs.ts";

function entry(id: number, cols: Record<string, string> = {}, tomb = false): Entry {
  return { k: JSON.stringify([String(id)]), label: `{"id":${id}}`, tomb, cols };
}

function from(entries: Entry[]): AsyncIterable<Entry> {
  const sorted = [...entries].sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return (async function* () {
    for (const e of sorted) yield await Promise.resolve(e);
  })();
}

test("each verdict of the state table, with keys and differing column names", async () => {
  const source = [
    entry(1, { a: "=1" }),
    entry(2, { a: "=1", b: "=x" }),
    entry(3, { a: "=1" }),
    entry(4, { a: "=1" }),
  ];
  const items = [
    entry(1, { a: "=1" }), // equal
    entry(2, { a: "=2", c: "=y" }), // different: a, b (NULL in the item), c (not in the source)
    entry(4, {}, true), // deleted_but_live
    entry(5, {}, true), // deleted row, tombstone: equal
    entry(6, { a: "=1" }), // extra
  ]; // 3: missing
  const tally = new Tally(10);
  await mergeCompare(from(source), from(items), tally);
  const r = tally.report();
  assert.deepEqual(r.counts, { missing: 1, extra: 1, different: 1, deleted_but_live: 1 });
  assert.equal(r.drift, 4);
  assert.equal(r.equal, 2);
  assert.equal(r.sourceRows, 4);
  assert.equal(r.items, 5);
  assert.equal(r.tombstones, 2);
  assert.deepEqual(r.examples.missing, [{ key: '{"id":3}' }]);
  assert.deepEqual(r.examples.extra, [{ key: '{"id":6}' }]);
  assert.deepEqual(r.examples.deleted_but_live, [{ key: '{"id":4}' }]);
  assert.deepEqual(r.examples.different, [{ key: '{"id":2}', columns: ["a", "b", "c"] }]);
  assert.deepEqual(r.columns, { a: 1, b: 1, c: 1 });
});

test("examples are capped, counts are not; the report never carries values", async () => {
  const source = Array.from({ length: 50 }, (_, i) => entry(i, { secret: "=hunter2" }));
  const tally = new Tally(3);
  await mergeCompare(from(source), from([]), tally);
  const r = tally.report();
  assert.equal(r.counts.missing, 50);
  assert.equal(r.examples.missing.length, 3);
  assert.ok(!JSON.stringify(r).includes("hunter2"));
});

test("two items for one row: the second is judged alone (extra when live)", async () => {
  const tally = new Tally(10);
  await mergeCompare(
    from([entry(1, { a: "=1" })]),
    from([entry(1, { a: "=1" }), entry(1, { a: "=1" })]),
    tally,
  );
  assert.deepEqual(tally.report().counts, { missing: 0, extra: 1, different: 0, deleted_but_live: 0 });
});

type Side = { live: boolean; tomb: boolean; value: number };
const sideArb = fc.record({ live: fc.boolean(), tomb: fc.boolean(), value: fc.integer({ min: 0, max: 2 }) });

function naive(src: Side | undefined, item: Side | undefined): DriftKind | "equal" {
  const s = src?.live === true ? src : undefined;
  if (s === undefined) return item === undefined || item.tomb ? "equal" : "extra";
  if (item === undefined) return "missing";
  if (item.tomb) return "deleted_but_live";
  return item.value === s.value ? "equal" : "different";
}

test("property: the merge over external sorted runs judges every key like a map lookup", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.option(sideArb), fc.option(sideArb)), {
        maxLength: 300,
      }),
      fc.integer({ min: 1, max: 40 }),
      async (keys, runSize) => {
        const bySrc = new Map<number, Side>();
        const byItem = new Map<number, Side>();
        for (const [id, s, t] of keys) {
          if (s !== null && s.live) bySrc.set(id, s);
          if (t !== null) byItem.set(id, t);
        }
        const expected = { missing: 0, extra: 0, different: 0, deleted_but_live: 0 };
        for (const id of new Set([...bySrc.keys(), ...byItem.keys()])) {
          const v = naive(bySrc.get(id), byItem.get(id));
          if (v !== "equal") expected[v]++;
        }
        const rows = new SortedRuns<Entry>(runSize);
        const items = new SortedRuns<Entry>(runSize);
        try {
          for (const [id, s] of bySrc) await rows.add(entry(id, { v: `=${s.value}` }));
          for (const [id, t] of byItem)
            await items.add(t.tomb ? entry(id, {}, true) : entry(id, { v: `=${t.value}` }));
          const tally = new Tally(5);
          await mergeCompare(rows.sorted(), items.sorted(), tally);
          assert.deepEqual(tally.report().counts, expected);
        } finally {
          await rows.dispose();
          await items.dispose();
        }
      },
    ),
    { numRuns: 60 },
  );
});

test("sorted runs spill to disk beyond the buffer, merge in key order, and clean up", async () => {
  const parent = mkdtempSync(join(tmpdir(), "runs-test-"));
  const runs = new SortedRuns<Entry>(7, parent);
  const ids = Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
  for (const id of ids) await runs.add(entry(id, { x: `=${id}` }));
  assert.ok(runs.runs > 10, `${runs.runs} runs`);
  const out: string[] = [];
  for await (const e of runs.sorted()) out.push(e.k);
  assert.deepEqual(out, [...out].sort());
  assert.equal(out.length, 100);
  assert.equal(readdirSync(parent).length, 1);
  await runs.dispose();
  assert.deepEqual(readdirSync(parent), []);
  rmSync(parent, { recursive: true });
});
