// Flattened records (ExtractNewRecordState) in the variants Debezium documents, and the format
// dispatch. The shapes are what the transform writes (AbstractExtractNewRecordState,
// DefaultDeleteHandlingStrategy): `__` fields from add.fields, `__` headers from add.headers.

import assert from "node:assert/strict";
import { test } from "node:test";
import { PoisonError } from "../../../src/core/errors.ts";
import { JsonNumber } from "../../../src/core/json.ts";
import { decodeKafkaRecord } from "../../../src/core/record.ts";
import type { DecodeOptions, KafkaRecord } from "../../../src/core/types.ts";
import { pgRecord, record } from "../../support/debezium-records.ts";

const flat: DecodeOptions = { format: "flattened", versionSource: "auto", epoch: 0 };
const pad = (n: bigint | number): string => String(n).padStart(20, "0");

function flatRecord(
  value: Record<string, unknown> | null,
  offset = 1,
  headers: Record<string, string> = {},
  key: unknown = { id: 7 },
): KafkaRecord {
  return record({
    topic: "pg.public.customers",
    offset: String(offset),
    key: Buffer.from(JSON.stringify(key)),
    value: value === null ? null : Buffer.from(JSON.stringify(value)),
    headers,
  });
}

function change(r: KafkaRecord, o: DecodeOptions = flat) {
  const d = decodeKafkaRecord(r, o);
  assert.equal(d.kind, "change", JSON.stringify(d));
  if (d.kind !== "change") throw new Error("unreachable");
  return d.event;
}

function poison(fn: () => unknown): PoisonError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PoisonError, `expected PoisonError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a PoisonError");
}

test("add.fields=op,lsn,source.ts_ms: the row without the __ fields, versioned by __lsn", () => {
  const e = change(
    flatRecord({
      id: 7,
      name: "Ada",
      __op: "u",
      __lsn: 9000,
      __source_ts_ms: 1700000000000,
      __deleted: "false",
    }),
  );
  assert.equal(e.op, "u");
  assert.deepEqual(e.row, { id: 7, name: "Ada" });
  assert.equal(e.id, "[7]");
  assert.equal(e.version, `pg:0000:${pad(9000)}:1:${pad(9000)}`);
  assert.equal(e.versionScheme, "pg:");
  assert.equal(e.sourceTsMs, 1700000000000);
  assert.equal(e.source, "pg.public.customers", "without table fields the topic names the source");
});

test("a snapshot read ranks below every streamed change, as in the envelope", () => {
  const read = change(flatRecord({ id: 7, __op: "r", __lsn: 9000 }));
  const streamed = change(flatRecord({ id: 7, __op: "u", __lsn: 100 }));
  assert.equal(read.version, `pg:0000:${pad(0)}:0:${pad(9000)}`);
  assert.ok(read.version < streamed.version);
});

test("LSNs past 2^53 stay exact, from a field and from a header", () => {
  const big = 2n ** 60n + 1n;
  const value = `{"id":7,"__op":"c","__lsn":${big}}`;
  const r = { ...flatRecord(null), value: Buffer.from(value) };
  assert.equal(change(r).version, `pg:0000:${pad(big)}:1:${pad(big)}`);
  const h = change(flatRecord({ id: 7 }, 1, { __op: "c", __lsn: String(big) }));
  assert.equal(h.version, `pg:0000:${pad(big)}:1:${pad(big)}`);
  assert.equal(h.op, "c");
});

test("add.fields with sequence gives the envelope's own versions", () => {
  const env = change(pgRecord({ op: "u", id: 7, lsn: 500, lastCommitLsn: 300 }, 1), {
    ...flat,
    format: "envelope",
  });
  const f = change(flatRecord({ id: 7, __op: "u", __lsn: 500, __sequence: '["300","500"]' }));
  assert.equal(f.version, env.version);
});

test("name,db,schema,table fields give the envelope's source name", () => {
  const e = change(
    flatRecord({ id: 7, __op: "u", __lsn: 5, __name: "pg", __db: "app", __schema: "public", __table: "t" }),
  );
  assert.equal(e.source, "pg.app.public.t");
});

test("rewrite: __deleted=true is a delete of the before image's key at its position", () => {
  const e = change(flatRecord({ id: 7, name: "Ada", __op: "d", __lsn: 700, __deleted: "true" }));
  assert.equal(e.op, "d");
  assert.equal(e.row, null);
  assert.equal(e.version, `pg:0000:${pad(700)}:1:${pad(700)}`);
  const without = change(flatRecord({ id: 7, __lsn: 700, __deleted: "true" }));
  assert.equal(without.op, "d", "__deleted alone says delete, without __op");
});

test("tombstone mode with add.headers: the null value is a delete at the headers' position", () => {
  const e = change(flatRecord(null, 3, { __op: "d", __lsn: "800" }));
  assert.equal(e.op, "d");
  assert.equal(e.version, `pg:0000:${pad(800)}:1:${pad(800)}`);
});

test("a null `__` field does not hide the header of the same name", () => {
  // An optional field left null (say a schema that declares __op but a record without it) says
  // nothing; the header the connector also added does.
  const e = change(flatRecord({ id: 7, __op: null, __lsn: null }, 4, { __op: "c", __lsn: "900" }));
  assert.equal(e.op, "c");
  assert.equal(e.version, `pg:0000:${pad(900)}:1:${pad(900)}`);
});

test("a tombstone with no position is poison, never a silently lost delete", () => {
  const err = poison(() => decodeKafkaRecord(flatRecord(null, 3, { __op: "d" }), flat));
  assert.equal(err.code, "flattened_without_version");
});

test("no position field and no VERSION_COLUMN: flattened_without_version", () => {
  const err = poison(() => decodeKafkaRecord(flatRecord({ id: 7, name: "x", __op: "u" }), flat));
  assert.equal(err.code, "flattened_without_version");
  assert.match(err.message, /add\.fields/);
});

test("VERSION_COLUMN when no position field was added; a column delete ranks above its update", () => {
  const o = { ...flat, versionColumn: "rev" };
  const u = change(flatRecord({ id: 7, rev: 4, __op: "u" }), o);
  const d = change(flatRecord({ id: 7, rev: 4, __deleted: "true" }), o);
  assert.equal(u.version, `col:0000:${pad(4)}:1`);
  assert.equal(d.version, `col:0000:${pad(4)}:2`);
  const tomb = poison(() => decodeKafkaRecord(flatRecord(null, 1, { __op: "d" }), o));
  assert.equal(tomb.code, "delete_without_version");
});

test("MySQL position fields: file, pos, row (and the transaction's total_order)", () => {
  const e = change(
    flatRecord({ id: 7, __op: "c", __file: "mysql-bin.000042", __pos: 1234, __row: 2, __total_order: 3 }),
  );
  assert.equal(e.version, `my:0000:${pad(42)}:${pad(1234)}:1:${pad(3)}:${pad(2)}`);
  const src = change(
    flatRecord({ id: 7, __op: "c", __source_file: "b.000001", __source_pos: 9, __source_row: 0 }),
  );
  assert.equal(src.versionScheme, "my:");
});

test("a column named __x is metadata in this format, never written", () => {
  const e = change(flatRecord({ id: 7, __lsn: 1, __note: "kept out" }));
  assert.deepEqual(e.row, { id: 7 });
});

test("the JsonConverter schema of the flattened value converts its columns", () => {
  const schema = {
    type: "struct",
    fields: [
      { field: "id", type: "int32" },
      {
        field: "price",
        type: "bytes",
        name: "org.apache.kafka.connect.data.Decimal",
        parameters: { scale: "2" },
      },
      { field: "__lsn", type: "int64" },
    ],
  };
  const e = change(flatRecord({ schema, payload: { id: 7, price: "AOo=", __lsn: 5 } }));
  assert.deepEqual(e.row?.["price"], new JsonNumber("2.34"));
});

test("an unknown __op is poison; t and m are skipped", () => {
  assert.equal(
    poison(() => decodeKafkaRecord(flatRecord({ id: 7, __op: "x", __lsn: 1 }), flat)).code,
    "invalid_envelope",
  );
  assert.deepEqual(decodeKafkaRecord(flatRecord({ id: 7, __op: "t", __lsn: 1 }), flat), {
    kind: "skip",
    reason: "truncate",
  });
  assert.equal(poison(() => decodeKafkaRecord(flatRecord([1, 2] as never), flat)).code, "invalid_envelope");
});

test("auto tells an envelope from a flattened row per record", () => {
  const auto = { ...flat, format: "auto" } as const;
  assert.equal(change(pgRecord({ op: "u", id: 7, lsn: 5, lastCommitLsn: 3 }, 1), auto).versionScheme, "pg:");
  assert.deepEqual(change(flatRecord({ id: 7, __op: "u", __lsn: 5 }), auto).row, { id: 7 });
  // A Debezium tombstone (no headers) is skipped; one with position headers is a flattened delete.
  assert.deepEqual(decodeKafkaRecord(flatRecord(null), auto), { kind: "skip", reason: "kafka_tombstone" });
  assert.equal(change(flatRecord(null, 1, { __op: "d", __lsn: "9" }), auto).op, "d");
});

test("envelope (the default) still reads a flattened row as an invalid envelope", () => {
  const err = poison(() =>
    decodeKafkaRecord(flatRecord({ id: 7, __lsn: 5 }), { versionSource: "auto", epoch: 0 }),
  );
  assert.equal(err.code, "invalid_envelope");
});
