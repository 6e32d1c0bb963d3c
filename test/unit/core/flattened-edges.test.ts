// Flattened records at the edges of flattened.ts: where metadata comes from (header or field, the
// `source_` spellings), which text counts as a position, what each version source takes, and the
// checks a row passes before it is written.

import assert from "node:assert/strict";
import { test } from "node:test";
import { PoisonError } from "../../../src/core/errors.ts";
import { decodeKafkaRecord } from "../../../src/core/record.ts";
import type { ChangeEvent, DecodeOptions, KafkaRecord } from "../../../src/core/types.ts";
import { record } from "../../support/debezium-records.ts";

const flat: DecodeOptions = { format: "flattened", versionSource: "auto", epoch: 0 };
const pad = (n: number): string => String(n).padStart(20, "0");
const pg = (lsn: number): string => `pg:0000:${pad(lsn)}:1:${pad(lsn)}`;

function flatRecord(value: unknown, headers: Record<string, string> = {}, offset = 1): KafkaRecord {
  return record({
    topic: "pg.public.customers",
    offset: String(offset),
    key: Buffer.from('{"id":7}'),
    value: value === null ? null : Buffer.from(typeof value === "string" ? value : JSON.stringify(value)),
    headers,
  });
}

function change(value: unknown, headers: Record<string, string> = {}, o: DecodeOptions = flat): ChangeEvent {
  const d = decodeKafkaRecord(flatRecord(value, headers), o);
  assert.equal(d.kind, "change", JSON.stringify(d));
  if (d.kind !== "change") throw new Error("unreachable");
  return d.event;
}

function code(value: unknown, headers: Record<string, string> = {}, o: DecodeOptions = flat): string {
  try {
    decodeKafkaRecord(flatRecord(value, headers), o);
  } catch (err) {
    assert.ok(err instanceof PoisonError, `expected PoisonError, got ${String(err)}`);
    return err.code;
  }
  assert.fail("expected a PoisonError");
}

test("headers carry metadata too; a value field of the same name wins over its header", () => {
  const h = change({ id: 7 }, { __op: "c", __lsn: "12", lsn: "99", op: "d" });
  assert.equal(h.op, "c");
  assert.equal(h.version, pg(12), "only __ headers are metadata");
  const f = change({ id: 7, __op: "c", __lsn: 5 }, { __op: "u", __lsn: "9" });
  assert.equal(f.op, "c");
  assert.equal(f.version, pg(5));
});

test("a null metadata field counts as absent: the next spelling is taken", () => {
  const e = change({ id: 7, __lsn: null, __source_lsn: 6, __op: null });
  assert.equal(e.version, pg(6));
  assert.equal(e.op, "u");
});

test("a position header is a position only when it is all digits", () => {
  assert.equal(change({ id: 7 }, { __lsn: "12" }).version, pg(12));
  for (const lsn of ["x12", "12x", "1 2"])
    assert.equal(code({ id: 7 }, { __lsn: lsn }), "missing_version", lsn);
  // MySQL's positions from headers, with row and the transaction's total_order.
  const my = change({ id: 7 }, { __file: "b.000001", __pos: "12", __row: "1", __total_order: "3" });
  assert.equal(my.version, `my:0000:${pad(1)}:${pad(12)}:1:${pad(3)}:${pad(1)}`);
  const noOrder = change({ id: 7 }, { __file: "b.000001", __pos: "12", __row: "1" });
  assert.equal(noOrder.version, `my:0000:${pad(1)}:${pad(12)}:1:${pad(0)}:${pad(1)}`);
  const txOrder = change({
    id: 7,
    __source_file: "b.000001",
    __source_pos: 12,
    __source_row: 2,
    __transaction_total_order: 4,
  });
  assert.equal(txOrder.version, `my:0000:${pad(1)}:${pad(12)}:1:${pad(4)}:${pad(2)}`);
});

test("PostgreSQL's sequence alone is a position; a non-text one is not", () => {
  assert.equal(change({ id: 7, __sequence: '["3","5"]' }).version, `pg:0000:${pad(3)}:1:${pad(5)}`);
  assert.equal(change({ id: 7, __source_sequence: '["3","5"]' }).versionScheme, "pg:");
  assert.equal(code({ id: 7, __sequence: 5 }), "flattened_without_version");
});

test("MySQL needs both file and pos", () => {
  assert.equal(code({ id: 7, __file: "b.000001" }), "flattened_without_version");
  assert.equal(code({ id: 7, __pos: 4 }), "flattened_without_version");
});

test("a configured version source other than auto ignores the position fields", () => {
  const col = change(
    { id: 7, rev: 3, __lsn: 9 },
    {},
    { ...flat, versionSource: "column", versionColumn: "rev" },
  );
  assert.equal(col.version, `col:0000:${pad(3)}:1`);
  const off = change({ id: 7, __lsn: 9 }, {}, { ...flat, versionSource: "kafka-offset" });
  assert.equal(off.version, `ko:0000:${pad(1)}`, "the record's Kafka offset");
  // Without any position field too: the offset needs none.
  const bare = change({ id: 7 }, {}, { ...flat, versionSource: "kafka-offset" });
  assert.equal(bare.version, `ko:0000:${pad(1)}`);
  // auto with both: the position wins over VERSION_COLUMN.
  assert.equal(change({ id: 7, rev: 3, __lsn: 9 }, {}, { ...flat, versionColumn: "rev" }).version, pg(9));
});

test("__deleted is true as text or boolean; anything else is not a delete", () => {
  assert.equal(change({ id: 7, __lsn: 1, __deleted: true }).op, "d");
  assert.equal(change({ id: 7, __lsn: 1, __deleted: "true" }).row, null);
  assert.equal(change({ id: 7, __lsn: 1, __deleted: "false", __op: "c" }).op, "c");
  assert.equal(change({ id: 7, __lsn: 1, __deleted: "TRUE" }).op, "u");
  assert.equal(change({ id: 7, __lsn: 1, __deleted: 1 }).op, "u");
});

test("every op of Debezium's is taken from __op; m is skipped as a message", () => {
  for (const op of ["c", "u", "r"] as const) assert.equal(change({ id: 7, __lsn: 1, __op: op }).op, op);
  const d = change({ id: 7, __lsn: 1, __op: "d" });
  assert.equal(d.op, "d");
  assert.equal(d.row, null, "a delete writes no row");
  assert.deepEqual(decodeKafkaRecord(flatRecord({ id: 7, __op: "m" }), flat), {
    kind: "skip",
    reason: "message",
  });
  assert.equal(code({ id: 7, __lsn: 1, __op: 1 }), "invalid_envelope");
});

test("source name from the source_ spellings; non-text parts are left out", () => {
  const src = { __source_name: "a", __source_db: "b", __source_schema: "c", __source_table: "d" };
  assert.equal(change({ id: 7, __lsn: 1, ...src }).source, "a.b.c.d");
  assert.equal(
    change({ id: 7, __lsn: 1, __name: 1, __db: "b", __schema: "c", __table: "d" }).source,
    "b.c.d",
  );
  const named = change({ id: 7, __lsn: 1, __table: "d" }, {}, { ...flat, sourceName: "fixed" });
  assert.equal(named.source, "fixed");
});

test("source timestamp: source.ts_ms first, the envelope's ts_ms otherwise", () => {
  assert.equal(change({ id: 7, __lsn: 1, __ts_ms: 5 }).sourceTsMs, 5);
  assert.equal(change({ id: 7, __lsn: 1, __ts_ms: 5, __source_ts_ms: 6 }).sourceTsMs, 6);
  assert.equal(change({ id: 7, __lsn: 1 }).sourceTsMs, undefined);
});

test("a row is checked before it is written: unavailable values and nesting depth", () => {
  const placeholder = "__debezium_unavailable_value";
  assert.equal(code({ id: 7, __lsn: 1, __op: "u", n: placeholder }), "unavailable_value");
  assert.equal(change({ id: 7, __lsn: 1, __op: "d", n: placeholder }).op, "d", "a delete writes no row");
  const deep = `{"id":7,"__lsn":1,"a":${"[".repeat(40)}${"]".repeat(40)}}`;
  assert.equal(code(deep), "too_deep");
});

test("a column named like an object's inherited property is an ordinary column", () => {
  assert.deepEqual(change('{"id":7,"constructor":1,"__lsn":1}').row, { id: 7, constructor: 1 });
});

test("a tombstone's delete takes its key and its headers' position", () => {
  const e = change(null, { __op: "d", __lsn: "8", __table: "t" });
  assert.equal(e.op, "d");
  assert.equal(e.id, "[7]");
  assert.equal(e.row, null);
  assert.equal(e.version, pg(8));
});

test("only names that start with __ are metadata, in headers and in value fields", () => {
  // Were the prefix not checked, `xxlsn` would be read as the position `lsn`.
  assert.equal(change({ id: 7 }, { __lsn: "5", xxlsn: "99" }).version, pg(5));
  const e = change('{"id":7,"__lsn":5,"xxlsn":99}');
  assert.equal(e.version, pg(5));
  assert.deepEqual(e.row, { id: 7, xxlsn: 99 });
});

test("a tombstone is a delete even without __op; the error says which kind of record lacked a position", () => {
  const e = change(null, { __lsn: "8" });
  assert.equal(e.op, "d");
  assert.equal(e.row, null);
  const tomb = (() => {
    try {
      decodeKafkaRecord(flatRecord(null, { __op: "d" }), flat);
    } catch (err) {
      return err as Error;
    }
    assert.fail("expected a PoisonError");
  })();
  assert.match(tomb.message, /tombstone/);
  const row = (() => {
    try {
      decodeKafkaRecord(flatRecord({ id: 7 }), flat);
    } catch (err) {
      return err as Error;
    }
    assert.fail("expected a PoisonError");
  })();
  assert.doesNotMatch(row.message, /tombstone/);
  assert.match(row.message, /flattened record/);
});

test("a too deep value names its column", () => {
  const deep = Buffer.from(`{"id":7,"__lsn":1,"deep_one":${"[".repeat(40)}${"]".repeat(40)}}`);
  assert.throws(
    () => decodeKafkaRecord({ ...flatRecord(null), value: deep }, flat),
    (err: unknown) => err instanceof PoisonError && err.code === "too_deep" && /deep_one/.test(err.message),
  );
});
