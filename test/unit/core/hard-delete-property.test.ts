// Property: for random mappings with `deletes: "hard"` and random interleavings and duplications of
// several keys' events, the writes core/hard-delete.ts decides (writeHard, with and without the
// single put first), applied by an in-memory model of DynamoDB's conditional transaction
// (test/support/transact-store.ts), leave each key's row exactly as the put of its newest event —
// or absent when that was a delete, its companion tombstone then at the delete's version — and a
// replay of the whole delivery applies nothing and changes nothing.

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { encodeId } from "../../../src/core/identity.ts";
import { META } from "../../../src/core/item.ts";
import { TableMapping, type MappingSpec } from "../../../src/core/mapping.ts";
import { writeHard, type HardStore } from "../../../src/core/hard-delete.ts";
import { Outcome, type ChangeEvent, type KeyColumn, type Row } from "../../../src/core/types.ts";
import { TransactStore } from "../../support/transact-store.ts";

const ctx = { keyAttribute: "pk", ttlAttribute: "_cdc_expires_at", manyTopics: false };
const at = { topic: "t", partition: 0, offset: "1" };
const hard = { deletes: "hard" as const };

const metadata = fc.constantFrom("full" as const, "minimal" as const);
const shapes: fc.Arbitrary<MappingSpec> = fc.oneof(
  metadata.map((m) => ({ metadata: m, ...hard })),
  fc.record({
    metadata,
    keyColumns: fc.constant(["a", "b"]),
    partitionKey: fc.constant({ attribute: "a", type: "N" as const, template: "{a}" }),
    sortKey: fc.constant({ attribute: "SK", template: "B#{b}" }),
    constants: fc.constant({ entity: "LINE" }),
    deletes: fc.constant("hard" as const),
  }),
  fc.record({
    metadata,
    keyColumns: fc.constant(["a", "b"]),
    partitionKey: fc.constant({ attribute: "PK", template: "A#{a}#B#{b}" }),
    rename: fc.constant({ v: "value", b: "bee" }),
    exclude: fc.constant(["w"]),
    deletes: fc.constant("hard" as const),
  }),
);

const rowArb = fc.record({ v: fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), w: fc.boolean() });
type Key = { a: number; b: string };

function event(key: Key, lsn: number, row: Row | null): ChangeEvent {
  const keyColumns: KeyColumn[] = [
    { name: "a", value: key.a },
    { name: "b", value: key.b },
  ];
  return {
    op: row === null ? "d" : lsn === 1 ? "c" : "u",
    source: "pg.app.public.lines",
    id: encodeId(keyColumns),
    keyColumns,
    version: `pg:0000:${String(lsn).padStart(20, "0")}`,
    versionScheme: "pg:",
    row: row === null ? null : { a: key.a, b: key.b, ...row },
    sourceTsMs: 1_700_000_000_000 + lsn,
  };
}

function shuffle<T>(list: T[], seed: number): T[] {
  let s = seed >>> 0 || 1;
  for (let i = list.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
    const j = s % (i + 1);
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

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
      fc.uniqueArray(fc.record({ a: fc.integer({ min: 0, max: 3 }), b: fc.constantFrom("x", "y#z") }), {
        minLength: 1,
        maxLength: 3,
        selector: (k) => `${k.a}/${k.b}`,
      }),
      fc.array(fc.array(fc.option(rowArb, { freq: 2 }), { minLength: 1, maxLength: 6 }), {
        minLength: 3,
        maxLength: 3,
      }),
      fc.array(fc.nat(), { maxLength: 8 }),
      fc.integer(),
      fc.boolean(),
      async (spec, keys, histories, dupIndexes, seed, optimistic) => {
        const mapping = new TableMapping(spec, ctx);
        const schema = mapping.keySchema();
        const model = new TransactStore([
          schema.partition.attribute,
          ...(schema.sort ? [schema.sort.attribute] : []),
        ]);
        const options = {
          table: "t",
          tombstoneTable: "t-cdc-tombstones",
          ...ctx,
          tombstoneTtlSeconds: 0,
          compression: "none" as const,
          mapping,
        };
        const store = storeOf(model, "t");
        const events = keys.flatMap((k, i) => histories[i]!.map((row, n) => event(k, n + 1, row)));
        const delivery = shuffle([...events, ...dupIndexes.map((d) => events[d % events.length]!)], seed);
        for (const e of delivery) await writeHard(e, at, options, 0, store, optimistic);
        const rows = model.table("t");
        const tombstones = model.table("t-cdc-tombstones");
        const newestOf = (k: Key) =>
          events.filter((e) => e.keyColumns[0]!.value === k.a && e.keyColumns[1]!.value === k.b).at(-1)!;
        for (const k of keys) {
          const newest = newestOf(k);
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
        assert.equal(rows.items.size, keys.filter((k) => newestOf(k).row !== null).length);
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
