// The generators of the mapping property tests (mapping-property.test.ts: soft deletes, through
// condition-store.ts; hard-delete-property.test.ts: deletes "hard", through transact-store.ts): the
// docs' mapping shapes, rows, several keys' histories, and a shuffled delivery with duplicates.
// Each test passes what its own variant adds (a column, `deletes: "hard"`, a key value).

import fc from "fast-check";
import { encodeId } from "../../../src/core/identity.ts";
import type { MappingSpec, TableMapping } from "../../../src/core/mapping.ts";
import type { ChangeEvent, KeyColumn, Row } from "../../../src/core/types.ts";

export const ctx = { keyAttribute: "pk", ttlAttribute: "_cdc_expires_at", manyTopics: false };
export const at = { topic: "t", partition: 0, offset: "1" };
export const SOURCE = "pg.app.public.lines";

const metadata = fc.constantFrom("full" as const, "minimal" as const);

/** The default key (source and id). */
export function plainShape(extra: Partial<MappingSpec> = {}): fc.Arbitrary<MappingSpec> {
  return metadata.map((m) => ({ metadata: m, ...extra }));
}

/** A numeric partition key and a templated sort key, with a constant attribute. */
export function sortedShape(extra: Partial<MappingSpec> = {}): fc.Arbitrary<MappingSpec> {
  return fc
    .record({
      metadata,
      keyColumns: fc.constant(["a", "b"]),
      partitionKey: fc.constant({ attribute: "a", type: "N" as const, template: "{a}" }),
      sortKey: fc.constant({ attribute: "SK", template: "B#{b}" }),
      constants: fc.constant({ entity: "LINE" }),
    })
    .map((s) => ({ ...s, ...extra }));
}

/** One templated partition key of both columns, a renamed and an excluded column. */
export function templatedShape(extra: Partial<MappingSpec> = {}): fc.Arbitrary<MappingSpec> {
  return fc
    .record({
      metadata,
      keyColumns: fc.constant(["a", "b"]),
      partitionKey: fc.constant({ attribute: "PK", template: "A#{a}#B#{b}" }),
      rename: fc.constant({ v: "value", b: "bee" }),
      exclude: fc.constant(["w"]),
    })
    .map((s) => ({ ...s, ...extra }));
}

/** A row's non-key columns: `v` and `w`, and whatever `extra` adds. */
export function rowArb(extra: Record<string, fc.Arbitrary<unknown>> = {}): fc.Arbitrary<Row> {
  return fc.record({
    v: fc.oneof(fc.integer(), fc.string({ maxLength: 4 })),
    w: fc.boolean(),
    ...extra,
  });
}

export type Key = { a: number; b: string };

/** One to three distinct keys (a, b), b one of `b`. */
export function keysArb(b: readonly string[]): fc.Arbitrary<Key[]> {
  return fc.uniqueArray(fc.record({ a: fc.integer({ min: 0, max: 3 }), b: fc.constantFrom(...b) }), {
    minLength: 1,
    maxLength: 3,
    selector: (k) => `${k.a}/${k.b}`,
  });
}

/** Three keys' histories of 1–6 changes each: a row, or (one time in `freq + 1`) a delete. */
export function historiesArb(row: fc.Arbitrary<Row>, freq: number): fc.Arbitrary<(Row | null)[][]> {
  return fc.array(fc.array(fc.option(row, { freq }), { minLength: 1, maxLength: 6 }), {
    minLength: 3,
    maxLength: 3,
  });
}

/** The change of `key` at `lsn`: a delete when `row` is null, else an insert at lsn 1, an update after. */
export function event(source: string, key: Key, lsn: number, row: Row | null): ChangeEvent {
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
export function shuffle<T>(list: T[], seed: number): T[] {
  let s = seed >>> 0 || 1;
  for (let i = list.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
    const j = s % (i + 1);
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

/** Every key's history in order, and their delivery: shuffled, with the events at `dupIndexes` again. */
export function deliveryOf(
  keys: readonly Key[],
  histories: readonly (readonly (Row | null)[])[],
  dupIndexes: readonly number[],
  seed: number,
): { events: ChangeEvent[]; delivery: ChangeEvent[] } {
  const events = keys.flatMap((k, i) => histories[i]!.map((row, n) => event(SOURCE, k, n + 1, row)));
  const delivery = shuffle([...events, ...dupIndexes.map((d) => events[d % events.length]!)], seed);
  return { events, delivery };
}

/** The newest of `key`'s events (its history's last). */
export function newestOf(events: readonly ChangeEvent[], key: Key): ChangeEvent {
  return events.filter((e) => e.keyColumns[0]!.value === key.a && e.keyColumns[1]!.value === key.b).at(-1)!;
}

/** The key attributes of the mapping's table, partition first: what the in-memory stores key by. */
export function keyAttributes(mapping: TableMapping): string[] {
  const schema = mapping.keySchema();
  return [schema.partition.attribute, ...(schema.sort ? [schema.sort.attribute] : [])];
}
