// Reconcile reads a mapped item back (docs/mapping.md): the key column a numeric key attribute
// holds, renamed columns, excluded columns left out on both sides, jsonb stored as a native map,
// constants and keys not taken for columns — and a changed value still shows as drift.

import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeId } from "../../../src/core/identity.ts";
import { JsonNumber } from "../../../src/core/json.ts";
import { TableMapping, type MappingSpec } from "../../../src/core/mapping.ts";
import type { ChangeEvent, KeyColumn, Row } from "../../../src/core/types.ts";
import { differingColumns, itemEntry, sourceEntry } from "../../../src/reconcile/entry.ts";
import { DEFAULT_SETTINGS, kindOf, type Column, type TableInfo } from "../../../src/reconcile/types.ts";

const col = (name: string, type: string): Column => ({
  name,
  type,
  kind: kindOf(type),
  array: false,
  precision: 6,
});
const columns = [col("order_id", "int8"), col("note", "text"), col("secret", "text"), col("attrs", "jsonb")];
const table: TableInfo = { schema: "public", table: "orders", columns, key: [columns[0]!] };
const ctx = { keyAttribute: "pk", ttlAttribute: "_cdc_expires_at", manyTopics: false };
const options = { table: "t", ...ctx, tombstoneTtlSeconds: 0, compression: "none" } as const;

function item(spec: MappingSpec, row: Row | null) {
  const mapping = new TableMapping(spec, ctx);
  const keyColumns: KeyColumn[] = [{ name: "order_id", value: new JsonNumber("9000000001") }];
  const event: ChangeEvent = {
    op: row === null ? "d" : "u",
    source: "pg.app.public.orders",
    id: encodeId(keyColumns),
    keyColumns,
    version: `pg:0000:${"1".padStart(20, "0")}`,
    versionScheme: "pg:",
    row,
  };
  return { mapping, item: mapping.put(event, { topic: "t", partition: 0, offset: "1" }, options, 0).Item! };
}

const spec: MappingSpec = {
  keyColumns: ["order_id"],
  partitionKey: { attribute: "order_id", type: "N", template: "{order_id}" },
  rename: { note: "comment" },
  exclude: ["secret"],
  jsonColumns: ["attrs"],
  constants: { entity: "ORDER" },
  metadata: "minimal",
};
// As the source reader hands a row over: to_json's values.
const source = [9000000001, "hello", "pw", { b: [1, 2.5], a: null }];
const row: Row = {
  order_id: new JsonNumber("9000000001"),
  note: "hello",
  secret: "pw",
  attrs: '{"a":null,"b":[1,2.5]}',
};

test("a mapped item equals its source row", () => {
  const { mapping, item: it } = item(spec, row);
  const layout = { ...ctx, mapping };
  const entry = itemEntry(it, table, DEFAULT_SETTINGS, layout)!;
  const src = sourceEntry(source, table, DEFAULT_SETTINGS, layout);
  assert.equal(entry.k, src.k);
  assert.deepEqual(differingColumns(src, entry), []);
  assert.deepEqual(Object.keys(entry.cols).sort(), ["attrs", "note", "order_id"]);
});

test("a changed value, or an attribute no column maps to, is drift", () => {
  const { mapping, item: it } = item(spec, { ...row, note: "other" });
  const layout = { ...ctx, mapping };
  const changed = { ...it, attrs: { M: { a: { NULL: true as const } } }, stray: { S: "x" } };
  const entry = itemEntry(changed, table, DEFAULT_SETTINGS, layout)!;
  assert.deepEqual(differingColumns(sourceEntry(source, table, DEFAULT_SETTINGS, layout), entry), [
    "+stray",
    "attrs",
    "note",
  ]);
});

test("a mapped tombstone reads as deleted, keyed by the key attribute", () => {
  const { mapping, item: it } = item(spec, null);
  const entry = itemEntry(it, table, DEFAULT_SETTINGS, { ...ctx, mapping })!;
  assert.equal(entry.tomb, true);
  assert.equal(entry.k, sourceEntry(source, table, DEFAULT_SETTINGS).k);
});
