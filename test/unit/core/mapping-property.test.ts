// Property: for random mappings (docs/mapping.md's shapes with random options) and random
// interleavings and duplications of several keys' events, the puts the mapping builds, applied by a
// store that evaluates their conditions as DynamoDB does (test/support/condition-store.ts), leave
// each key's item exactly as the put of its newest event — a tombstone when that was a delete —
// and every refused put reads back as duplicate (same version) or stale, never a collision.

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { encodeId } from "../../../src/core/identity.ts";
import { META } from "../../../src/core/item.ts";
import { TableMapping, type MappingSpec } from "../../../src/core/mapping.ts";
import { Outcome, type ChangeEvent, type KeyColumn, type Row } from "../../../src/core/types.ts";
import { refusedOf } from "../../../src/core/write.ts";
import { ConditionStore } from "../../support/condition-store.ts";

const ctx = { keyAttribute: "pk", ttlAttribute: "_cdc_expires_at", manyTopics: false };
const at = { topic: "t", partition: 0, offset: "1" };

const metadata = fc.constantFrom("full" as const, "minimal" as const);
const shapes: fc.Arbitrary<MappingSpec> = fc.oneof(
  metadata.map((m) => ({ metadata: m })),
  fc.record({
    metadata,
    keyColumns: fc.constant(["a", "b"]),
    partitionKey: fc.constant({ attribute: "a", type: "N" as const, template: "{a}" }),
    sortKey: fc.constant({ attribute: "SK", template: "B#{b}" }),
    constants: fc.constant({ entity: "LINE" }),
  }),
  fc.record({
    metadata,
    keyColumns: fc.constant(["a", "b"]),
    partitionKey: fc.constant({ attribute: "PK", template: "A#{a}#B#{b}" }),
    rename: fc.constant({ v: "value", b: "bee" }),
    exclude: fc.constant(["w"]),
    jsonColumns: fc.constant(["j"]),
  }),
  fc.record({
    metadata,
    partitionKey: fc.constant({ attribute: "PK", template: "{$source}|{$id}" }),
    sortKey: fc.constant({ attribute: "SK", template: "STATE" }),
    include: fc.constant(["v"]),
  }),
);

const rowArb = fc.record({
  v: fc.oneof(fc.integer(), fc.string({ maxLength: 4 })),
  w: fc.boolean(),
  j: fc.constantFrom('{"x":[1,2]}', "[]", '{"y":{"z":null}}'),
});

type Key = { a: number; b: string };

function event(source: string, key: Key, lsn: number, row: Row | null): ChangeEvent {
  const keyColumns: KeyColumn[] = [
    { name: "a", value: key.a },
    { name: "b", value: key.b },
  ];
  return {
    op: row === null ? "d" : lsn === 1 ? "c" : "u",
    source,
    id: encodeId(keyColumns),
    keyColumns,
    version: `pg:0000:${String(lsn).padStart(20, "0")}`,
    versionScheme: "pg:",
    row: row === null ? null : { a: key.a, b: key.b, ...row },
    sourceTsMs: 1_700_000_000_000 + lsn,
  };
}

/** Fisher–Yates with a small deterministic generator, so fast-check's seed replays a failure. */
function shuffle<T>(list: T[], seed: number): T[] {
  let s = seed >>> 0 || 1;
  for (let i = list.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
    const j = s % (i + 1);
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

test("every key's item ends at its newest version, or its tombstone, whatever the delivery", () => {
  fc.assert(
    fc.property(
      shapes,
      fc.uniqueArray(fc.record({ a: fc.integer({ min: 0, max: 3 }), b: fc.constantFrom("x", "y#z", "") }), {
        minLength: 1,
        maxLength: 3,
        selector: (k) => `${k.a}/${k.b}`,
      }),
      fc.array(fc.array(fc.option(rowArb, { freq: 3 }), { minLength: 1, maxLength: 6 }), {
        minLength: 3,
        maxLength: 3,
      }),
      fc.array(fc.nat(), { maxLength: 8 }),
      fc.integer(),
      (spec, keys, histories, dupIndexes, seed) => {
        const mapping = new TableMapping(spec, ctx);
        const schema = mapping.keySchema();
        const store = new ConditionStore([
          schema.partition.attribute,
          ...(schema.sort ? [schema.sort.attribute] : []),
        ]);
        const options = { table: "t", ...ctx, tombstoneTtlSeconds: 0, compression: "none" as const, mapping };
        const events = keys.flatMap((k, i) =>
          histories[i]!.map((row, n) => event("pg.app.public.lines", k, n + 1, row === null ? null : row)),
        );
        const delivery = shuffle([...events, ...dupIndexes.map((d) => events[d % events.length]!)], seed);
        for (const e of delivery) {
          const put = mapping.put(e, at, options, 0);
          const answer = store.put(put);
          if (answer.written) continue;
          const outcome = refusedOf(e, answer.old, mapping);
          assert.equal(outcome === Outcome.duplicate, answer.old?.[META.version]?.S === e.version);
        }
        keys.forEach((k, i) => {
          const newest = events
            .filter((e) => e.keyColumns[0]!.value === k.a && e.keyColumns[1]!.value === k.b)
            .at(-1)!;
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
