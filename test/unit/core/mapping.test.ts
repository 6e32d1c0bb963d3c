// TableMapping (src/core/mapping.ts): each shape of docs/mapping.md as the put it builds, the guard
// on a mapped key, the start-up rules with their messages, and the default mapping building the
// same put as the default layout.

import assert from "node:assert/strict";
import { test } from "node:test";
import { PoisonError } from "../../../src/core/errors.ts";
import { encodeId } from "../../../src/core/identity.ts";
import { META, buildPut } from "../../../src/core/item.ts";
import { JsonNumber } from "../../../src/core/json.ts";
import {
  TableMapping,
  mappingProblems,
  tableConflicts,
  type MappingSpec,
} from "../../../src/core/mapping.ts";
import { refusedOf } from "../../../src/core/write.ts";
import type { ChangeEvent, KeyColumn, Row } from "../../../src/core/types.ts";

const ctx = { keyAttribute: "pk", ttlAttribute: "_cdc_expires_at", manyTopics: false };
const options = {
  table: "t",
  keyAttribute: "pk",
  ttlAttribute: "_cdc_expires_at",
  tombstoneTtlSeconds: 0,
  compression: "none",
} as const;
const at = { topic: "pg.public.orders", partition: 1, offset: "7" };

function change(
  key: Record<string, unknown>,
  row: Row | null,
  lsn = 10,
  source = "pg.app.public.orders",
): ChangeEvent {
  const keyColumns: KeyColumn[] = Object.entries(key).map(([name, value]) => ({
    name,
    value: value as Row[string],
  }));
  return {
    op: row === null ? "d" : "u",
    source,
    id: encodeId(keyColumns),
    keyColumns,
    version: `pg:0000:${String(lsn).padStart(20, "0")}`,
    versionScheme: "pg:",
    row,
    sourceTsMs: 1_700_000_000_000,
  };
}

const poison = (code: string) => (e: unknown) => e instanceof PoisonError && e.code === code;

function put(spec: MappingSpec, event: ChangeEvent, o: Partial<typeof options> = {}) {
  return new TableMapping(spec, ctx).put(event, at, { ...options, ...o }, 5_000);
}

test("the default mapping builds the default layout's put, byte for byte", () => {
  const rows: (Row | null)[] = [
    { id: 1, name: "x", pk: "mine", _cdc_version: "forged", _cdc_expires_at: 3 },
    null,
  ];
  for (const row of rows)
    for (const ttl of [0, 60]) {
      const e = change({ id: 1 }, row);
      const o = { ...options, tombstoneTtlSeconds: ttl };
      assert.equal(
        JSON.stringify(new TableMapping({}, ctx).put(e, at, o, 5_000)),
        JSON.stringify(buildPut(e, at, o, 5_000)),
      );
    }
});

test("a numeric partition key: the column's exact number, not written twice", () => {
  const spec = {
    keyColumns: ["order_id"],
    partitionKey: { attribute: "order_id", type: "N", template: "{order_id}" },
  } as const;
  const p = put(
    spec,
    change(
      { order_id: new JsonNumber("9007199254740993") },
      { order_id: new JsonNumber("9007199254740993"), total: 5 },
    ),
  );
  assert.deepEqual(p.Item!["order_id"], { N: "9007199254740993" });
  assert.deepEqual(p.Item!["total"], { N: "5" });
  assert.equal(p.Item!["_cdc_col_order_id"], undefined);
  assert.equal(p.Item!["pk"], undefined);
  assert.equal(
    p.ConditionExpression,
    "attribute_not_exists(#key) OR (#source = :source AND #id = :id AND begins_with(#version, :scheme) AND #version < :version)",
  );
  assert.deepEqual(p.ExpressionAttributeNames, {
    "#key": "order_id",
    "#version": META.version,
    "#source": META.source,
    "#id": META.id,
  });
  assert.deepEqual(p.ExpressionAttributeValues[":id"], { S: "[9007199254740993]" });
  assert.throws(() => put(spec, change({ order_id: "A-1" }, { order_id: "A-1" })), poison("invalid_value"));
  assert.throws(
    () => put(spec, change({ order_id: new JsonNumber("1".repeat(39)) }, null)),
    poison("invalid_value"),
  );
});

test("a single-table design: PK and SK templates, constants, renames, exclusions", () => {
  const spec: MappingSpec = {
    keyColumns: ["order_id", "line_no"],
    partitionKey: { attribute: "PK", template: "ORDER#{order_id}" },
    sortKey: { attribute: "SK", template: "LINE#{line_no}" },
    exclude: ["secret"],
    rename: { sku: "productSku", PK: "pk_column" },
    constants: { entity: "ORDER_LINE", schemaVersion: 2 },
  };
  const p = put(
    spec,
    change({ order_id: 42, line_no: 3 }, { order_id: 42, line_no: 3, sku: "A", secret: "s", SK: "x" }),
  );
  const item = p.Item!;
  assert.deepEqual(item["PK"], { S: "ORDER#42" });
  assert.deepEqual(item["SK"], { S: "LINE#3" });
  assert.deepEqual(item["productSku"], { S: "A" });
  assert.equal(item["sku"], undefined);
  assert.equal(item["secret"], undefined);
  assert.deepEqual(item["order_id"], { N: "42" });
  assert.deepEqual(item["_cdc_col_SK"], { S: "x" }, "a column named like a key attribute is escaped");
  assert.deepEqual(item["entity"], { S: "ORDER_LINE" });
  assert.deepEqual(item["schemaVersion"], { N: "2" });
  const tomb = put(spec, change({ order_id: 42, line_no: 3 }, null)).Item!;
  assert.deepEqual(
    Object.keys(tomb).sort(),
    [
      "PK",
      "SK",
      ...Object.values(META).filter(
        (n) => n.startsWith("_cdc_") && !["_cdc_row_gzip", "_cdc_col_"].includes(n),
      ),
      "entity",
      "line_no",
      "order_id",
      "schemaVersion",
    ].sort(),
  );
});

test("include keeps the key columns; JSON columns become native maps and lists", () => {
  const spec: MappingSpec = { include: ["attrs"], jsonColumns: ["attrs", "bad"], metadata: "minimal" };
  const e = change(
    { id: 1 },
    { id: 1, attrs: '{"a":[1,{"b":12345678901234567890123}],"c":null}', other: "x" },
  );
  const item = put(spec, e).Item!;
  assert.deepEqual(item["attrs"], {
    M: { a: { L: [{ N: "1" }, { M: { b: { N: "12345678901234567890123" } } }] }, c: { NULL: true } },
  });
  assert.deepEqual(item["id"], { N: "1" });
  assert.equal(item["other"], undefined);
  assert.deepEqual(Object.keys(item).sort(), [
    "_cdc_deleted",
    "_cdc_source_ts_ms",
    "_cdc_version",
    "attrs",
    "id",
    "pk",
  ]);
  const deep = "[".repeat(32) + "]".repeat(32);
  assert.throws(() => put(spec, change({ id: 1 }, { id: 1, attrs: deep })), poison("too_deep"));
  assert.throws(
    () => put({ jsonColumns: ["bad"] }, change({ id: 1 }, { id: 1, bad: "{secret" })),
    (e: unknown) => poison("invalid_value")(e) && !(e as Error).message.includes("secret"),
  );
});

test("minimal metadata on a templated key keeps the row's identity for the guard", () => {
  const spec: MappingSpec = { keyColumns: ["id"], partitionKey: { template: "C#{id}" }, metadata: "minimal" };
  const item = put(spec, change({ id: 1 }, { id: 1 })).Item!;
  assert.deepEqual(Object.keys(item).sort(), [
    "_cdc_deleted",
    "_cdc_id",
    "_cdc_source",
    "_cdc_source_ts_ms",
    "_cdc_version",
    "id",
    "pk",
  ]);
  assert.deepEqual(item["pk"], { S: "C#1" });
});

test("a stored item of another row is a key collision, never an outcome", () => {
  const mapping = new TableMapping({ keyColumns: ["id"], partitionKey: { template: "C#{id}" } }, ctx);
  const e = change({ id: 1 }, { id: 1 });
  const other = mapping.put(change({ id: 1 }, { id: 1 }, 20, "pg.app.public.other"), at, options, 0).Item!;
  assert.throws(() => refusedOf(e, other, mapping), poison("key_collision"));
  const same = mapping.put(change({ id: 1 }, { id: 1 }, 20), at, options, 0).Item!;
  assert.equal(refusedOf(e, same, mapping), "stale");
  assert.throws(() => refusedOf(e, { [META.version]: { S: "pg:x" } }, mapping), poison("key_collision"));
  assert.throws(() => refusedOf(e, { other: { S: "x" } }, mapping), poison("foreign_item"));
  assert.equal(refusedOf(e, same, undefined), "stale");
});

test("a record whose key columns are not the mapping's is poison", () => {
  const spec: MappingSpec = { keyColumns: ["id"], partitionKey: { template: "C#{id}" } };
  assert.throws(() => put(spec, change({ id: 1, region: "eu" }, null)), poison("mapping_key_mismatch"));
  assert.throws(() => put(spec, change({ ident: 1 }, null)), poison("mapping_key_mismatch"));
});

test("binary keys, key size limits and empty keys", () => {
  const b = { keyColumns: ["h"], partitionKey: { type: "B", template: "{h}" } } as const;
  assert.deepEqual(put(b, change({ h: new Uint8Array([1]) }, null)).Item!["pk"], { B: new Uint8Array([1]) });
  assert.throws(() => put(b, change({ h: "AQ==" }, null)), poison("invalid_value"));
  const s = {
    keyColumns: ["id"],
    partitionKey: { template: "{id}" },
    sortKey: { attribute: "sk", template: "S#{id}" },
  };
  assert.throws(() => put(s, change({ id: "" }, null)), poison("invalid_value"));
  assert.throws(
    () => put(s, change({ id: "k".repeat(1500) }, null)),
    (e: unknown) => poison("key_too_large")(e) && /sk is 1502 bytes/.test((e as Error).message),
  );
});

test("the start-up rules, each with its message", () => {
  const problems = (spec: MappingSpec, many = false) => mappingProblems(spec, { ...ctx, manyTopics: many });
  assert.deepEqual(problems({}), []);
  assert.match(
    problems({ partitionKey: { template: "C#{id}" } }).join(),
    /list the source table's key columns in keyColumns/,
  );
  assert.match(
    problems({ keyColumns: ["a", "b"], partitionKey: { template: "C#{a}" } }).join(),
    /do not use key column\(s\) b/,
  );
  assert.match(
    problems({ keyColumns: ["a"], partitionKey: { template: "C#{a}#{name}" } }).join(),
    /\{name\}, which is not in keyColumns/,
  );
  assert.match(
    problems({ keyColumns: ["a", "b"], partitionKey: { template: "{a}{b}" } }).join(),
    /no literal between/,
  );
  assert.match(problems({ partitionKey: { template: "META" } }).join(), /every row would share one item/);
  assert.match(
    problems({ keyColumns: ["a"], partitionKey: { template: "A#{a}", type: "N" } }).join(),
    /exactly one key column reference/,
  );
  assert.match(
    problems({ keyColumns: ["a"], partitionKey: { template: "{a}" } }, true).join(),
    /must use \{\$source\}/,
  );
  assert.deepEqual(problems({ partitionKey: { template: "{$source}#{$id}" } }, true), []);
  assert.match(
    problems({ keyColumns: ["a"], sortKey: { attribute: "sk", template: "{a}" } }).join(),
    /sortKey needs a partitionKey/,
  );
  assert.match(
    problems({
      keyColumns: ["a"],
      partitionKey: { template: "{a}" },
      sortKey: { attribute: "pk", template: "X" },
    }).join(),
    /different attributes/,
  );
  assert.match(
    problems({ partitionKey: { attribute: "_cdc_pk", template: "{$id}" } }).join(),
    /must not start with _cdc_/,
  );
  assert.match(problems({ constants: { pk: "x" } }).join(), /constants\.pk/);
  assert.match(problems({ rename: { a: "x", b: "x" } }).join(), /two columns the attribute name x/);
  assert.match(problems({ include: ["a"], exclude: ["a"] }).join(), /both include and exclude/);
  assert.throws(() => new TableMapping({ include: ["a"], exclude: ["a"] }, ctx), /invalid mapping/);
});

test("mappings into one table must share its key schema and keep their keys apart", () => {
  const m = (spec: MappingSpec) => new TableMapping(spec, ctx);
  const customer = m({
    keyColumns: ["id"],
    partitionKey: { attribute: "PK", template: "CUSTOMER#{id}" },
    sortKey: { attribute: "SK", template: "META" },
  });
  const order = m({
    keyColumns: ["customer_id", "order_id"],
    partitionKey: { attribute: "PK", template: "CUSTOMER#{customer_id}" },
    sortKey: { attribute: "SK", template: "ORDER#{order_id}" },
  });
  assert.deepEqual(
    tableConflicts([
      { where: "a", table: "app", mapping: customer },
      { where: "b", table: "app", mapping: order },
    ]),
    [],
  );
  assert.match(
    tableConflicts([
      { where: "a", table: "app", mapping: customer },
      { where: "b", table: "app", mapping: customer },
    ]).join(),
    /a and b write table app with keys that can be equal/,
  );
  assert.deepEqual(
    tableConflicts([
      { where: "a", table: "app", mapping: customer },
      { where: "b", table: "other", mapping: customer },
    ]),
    [],
  );
  assert.match(
    tableConflicts([
      { where: "a", table: "app", mapping: customer },
      { where: "b", table: "app", mapping: m({}) },
    ]).join(),
    /different key schemas: PK \(S\) \+ SK \(S\) against pk \(S\)/,
  );
  assert.deepEqual(
    tableConflicts([
      { where: "a", table: "t", mapping: m({}) },
      { where: "b", table: "t", mapping: m({ metadata: "minimal" }) },
    ]),
    [],
  );
});
