// TTL_ATTRIBUTE names the attribute DynamoDB's TTL reads. A row column of that name written as
// is would give a live row an expiry time: with `expires_at: 1600000000` (2020) DynamoDB deletes
// the live row. Such a column is escaped like the key attribute (`_cdc_col_<name>`), and reconcile
// maps it back.

import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeKafkaRecord } from "../../../src/core/record.ts";
import { META, buildPut } from "../../../src/core/item.ts";
import type { ChangeEvent } from "../../../src/core/types.ts";
import { itemEntry } from "../../../src/reconcile/entry.ts";
import { DEFAULT_SETTINGS, type Column, type TableInfo } from "../../../src/reconcile/types.ts";
import { pgRecord, record } from "../../support/debezium-records.ts";

const options = {
  table: "t",
  keyAttribute: "pk",
  ttlAttribute: "expires_at",
  tombstoneTtlSeconds: 3600,
  compression: "none",
} as const;
const at = { topic: "t", partition: 0, offset: "1" };

function event(op: "c" | "d", row: Record<string, unknown> = {}): ChangeEvent {
  const d = decodeKafkaRecord(pgRecord({ op, id: 1, lsn: 10, row }, 1), { versionSource: "auto", epoch: 0 });
  return (d as { event: ChangeEvent }).event;
}

test("a live row's column named like TTL_ATTRIBUTE is escaped, so the item carries no TTL", () => {
  const item = buildPut(event("c", { expires_at: 1_600_000_000 }), at, options, 0).Item!;
  assert.equal(item["expires_at"], undefined, "a live item must not carry the TTL attribute");
  assert.deepEqual(item[`${META.columnPrefix}expires_at`], { N: "1600000000" });
});

test("a tombstone carries the TTL, and a key column of that name is escaped", () => {
  const d = decodeKafkaRecord(
    record({
      offset: "1",
      key: Buffer.from('{"expires_at":5}'),
      value: pgRecord({ op: "d", id: 5, lsn: 10 }, 1).value,
    }),
    { versionSource: "auto", epoch: 0 },
  );
  const item = buildPut((d as { event: ChangeEvent }).event, at, options, 1_000_000).Item!;
  assert.deepEqual(item["expires_at"], { N: String(1000 + 3600) });
  assert.deepEqual(item[`${META.columnPrefix}expires_at`], { N: "5" });
});

test("reconcile reads the escaped column back as the row's column, not as a stray attribute", () => {
  const id: Column = { name: "id", type: "int4", kind: "integer", array: false, precision: 0 };
  const expiresAt: Column = { name: "expires_at", type: "int8", kind: "integer", array: false, precision: 0 };
  const table: TableInfo = { schema: "public", table: "customers", columns: [id, expiresAt], key: [id] };
  const item = buildPut(event("c", { expires_at: 1_600_000_000 }), at, options, 0).Item!;
  const entry = itemEntry(item, table, DEFAULT_SETTINGS, options)!;
  assert.deepEqual(
    entry.cols,
    Object.assign(Object.create(null) as object, { id: "=1", expires_at: "=1600000000" }),
  );
});
