// Property: for random mappings with `deletes: "hard"` and random interleavings and duplications of
// several keys' events, the writes core/hard-delete.ts decides (writeHard, with and without the
// single put first), applied by an in-memory model of DynamoDB's conditional transaction
// (test/support/transact-store.ts), leave each key's row exactly as the put of its newest event —
// or absent when that was a delete, its companion tombstone then at the delete's version — and a
// replay of the whole delivery applies nothing and changes nothing.

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { META } from "../../../src/core/item.ts";
import { TableMapping, type MappingSpec } from "../../../src/core/mapping.ts";
import { writeHard, type HardStore } from "../../../src/core/hard-delete.ts";
import { Outcome } from "../../../src/core/types.ts";
import { TransactStore } from "../../support/transact-store.ts";
import {
  at,
  ctx,
  deliveryOf,
  historiesArb,
  keyAttributes,
  keysArb,
  newestOf,
  plainShape,
  rowArb,
  shuffle,
  sortedShape,
  templatedShape,
} from "./mapping-arbitraries.ts";

const hard = { deletes: "hard" as const };
const shapes: fc.Arbitrary<MappingSpec> = fc.oneof(plainShape(hard), sortedShape(hard), templatedShape(hard));

function storeOf(model: TransactStore, table: string): HardStore {
  return {
    put: (request) => Promise.resolve(model.table(table).put(request)),
    transact: (items) => Promise.resolve(model.transact(items)),
  };
}

test("hard deletes: every row ends at its newest version or absent, whatever the delivery", async () => {
  await fc.assert(
    fc.asyncProperty(
      shapes,
      keysArb(["x", "y#z"]),
      historiesArb(rowArb(), 2),
      fc.array(fc.nat(), { maxLength: 8 }),
      fc.integer(),
      fc.boolean(),
      async (spec, keys, histories, dupIndexes, seed, optimistic) => {
        const mapping = new TableMapping(spec, ctx);
        const model = new TransactStore(keyAttributes(mapping));
        const options = {
          table: "t",
          tombstoneTable: "t-cdc-tombstones",
          ...ctx,
          tombstoneTtlSeconds: 0,
          compression: "none" as const,
          mapping,
        };
        const store = storeOf(model, "t");
        const { events, delivery } = deliveryOf(keys, histories, dupIndexes, seed);
        for (const e of delivery) await writeHard(e, at, options, 0, store, optimistic);
        const rows = model.table("t");
        const tombstones = model.table("t-cdc-tombstones");
        for (const k of keys) {
          const newest = newestOf(events, k);
          const key = mapping.key(newest);
          const stored = rows.items.get(rows.keyOf(key));
          if (newest.row === null) {
            assert.equal(stored, undefined, `key ${JSON.stringify(k)}: a hard-deleted row is absent`);
            assert.equal(tombstones.items.get(tombstones.keyOf(key))?.[META.version]?.S, newest.version);
          } else {
            assert.deepEqual(stored, mapping.put(newest, at, options, 0).Item);
            assert.equal(stored?.[META.deleted]?.BOOL, false);
          }
        }
        assert.equal(rows.items.size, keys.filter((k) => newestOf(events, k).row !== null).length);
        // A replay of everything (a new consumer group) applies nothing and changes nothing.
        const before = JSON.stringify([[...rows.items], [...tombstones.items]]);
        for (const e of shuffle([...delivery], seed + 1)) {
          const outcome = await writeHard(e, at, options, 0, store, optimistic);
          assert.notEqual(outcome, Outcome.applied, `replayed ${e.op} ${e.version} was applied again`);
        }
        assert.equal(JSON.stringify([[...rows.items], [...tombstones.items]]), before);
      },
    ),
    { numRuns: 300 },
  );
});
