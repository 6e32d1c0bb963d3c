// Property: for random mappings (docs/mapping.md's shapes with random options) and random
// interleavings and duplications of several keys' events, the puts the mapping builds, applied by a
// store that evaluates their conditions as DynamoDB does (test/support/condition-store.ts), leave
// each key's item exactly as the put of its newest event — a tombstone when that was a delete —
// and every refused put reads back as duplicate (same version) or stale, never a collision.

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { META } from "../../../src/core/item.ts";
import { TableMapping, type MappingSpec } from "../../../src/core/mapping.ts";
import { Outcome } from "../../../src/core/types.ts";
import { refusedOf } from "../../../src/core/write.ts";
import { ConditionStore } from "../../support/condition-store.ts";
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
  sortedShape,
  templatedShape,
} from "./mapping-arbitraries.ts";

const shapes: fc.Arbitrary<MappingSpec> = fc.oneof(
  plainShape(),
  sortedShape(),
  templatedShape({ jsonColumns: ["j"] }),
  fc.record({
    metadata: fc.constantFrom("full" as const, "minimal" as const),
    partitionKey: fc.constant({ attribute: "PK", template: "{$source}|{$id}" }),
    sortKey: fc.constant({ attribute: "SK", template: "STATE" }),
    include: fc.constant(["v"]),
  }),
);

const rows = rowArb({ j: fc.constantFrom('{"x":[1,2]}', "[]", '{"y":{"z":null}}') });

test("every key's item ends at its newest version, or its tombstone, whatever the delivery", () => {
  fc.assert(
    fc.property(
      shapes,
      keysArb(["x", "y#z", ""]),
      historiesArb(rows, 3),
      fc.array(fc.nat(), { maxLength: 8 }),
      fc.integer(),
      (spec, keys, histories, dupIndexes, seed) => {
        const mapping = new TableMapping(spec, ctx);
        const store = new ConditionStore(keyAttributes(mapping));
        const options = { table: "t", ...ctx, tombstoneTtlSeconds: 0, compression: "none" as const, mapping };
        const { events, delivery } = deliveryOf(keys, histories, dupIndexes, seed);
        for (const e of delivery) {
          const put = mapping.put(e, at, options, 0);
          const answer = store.put(put);
          if (answer.written) continue;
          const outcome = refusedOf(e, answer.old, mapping);
          assert.equal(outcome === Outcome.duplicate, answer.old?.[META.version]?.S === e.version);
        }
        keys.forEach((k, i) => {
          const newest = newestOf(events, k);
          const expected = mapping.put(newest, at, options, 0).Item!;
          const stored = store.items.get(store.keyOf(expected));
          assert.deepEqual(stored, expected, `key ${JSON.stringify(k)} of ${histories[i]!.length} events`);
          assert.equal(stored[META.deleted]?.BOOL, newest.row === null);
        });
        assert.equal(store.items.size, keys.length);
      },
    ),
    { numRuns: 300 },
  );
});
