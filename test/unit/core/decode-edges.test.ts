// Decoding at its edges (src/core/decode.ts): absent, empty and null keys (each row its own item,
// never one shared `[null]` or `[]`), scalar keys, key schemas, the unavailable-value placeholder in
// each form, source timestamps, and messages that never quote the input.

import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeKey, decodeKeyMessage, decodeMessage, parseMessage } from "../../../src/core/decode.ts";
import { decodeKafkaRecord } from "../../../src/core/record.ts";
import { PoisonError } from "../../../src/core/errors.ts";
import { JsonNumber } from "../../../src/core/json.ts";
import type { ChangeEvent, DecodeOptions, KafkaRecord } from "../../../src/core/types.ts";
import { pgEnvelope, pgKey, record } from "../../support/debezium-records.ts";

const auto: DecodeOptions = { versionSource: "auto", epoch: 0 };

function poison(fn: () => unknown): PoisonError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PoisonError, `expected PoisonError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a PoisonError");
}

function decode(key: Buffer | null, value: unknown, offset = "1"): ChangeEvent {
  const d = decodeKafkaRecord(record({ offset, key, value: Buffer.from(JSON.stringify(value)) }), auto);
  assert.equal(d.kind, "change");
  return (d as { event: ChangeEvent }).event;
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

test("a change without a key, with an empty key or a null key is poison (missing_key)", () => {
  const value = pgEnvelope({ op: "u", id: 1, lsn: 10 });
  for (const key of [null, Buffer.alloc(0), json(null), json({ schema: { type: "int32" }, payload: null })])
    assert.equal(poison(() => decode(key, value)).code, "missing_key", String(key));
  assert.equal(poison(() => decodeKey(null)).code, "missing_key");
  assert.equal(poison(() => decodeKey(Buffer.alloc(0))).code, "missing_key");
  assert.equal(poison(() => decodeKeyMessage(null)).code, "missing_key");
  assert.equal(poison(() => decodeKeyMessage({ payload: null })).code, "missing_key");
});

test("a key object without columns is poison, also when its schema names none of them", () => {
  assert.equal(poison(() => decodeKey(json({}))).code, "missing_key");
  const schema = { type: "struct", fields: [{ field: "other", type: "int32" }] };
  assert.equal(poison(() => decodeKey(json({ schema, payload: { id: 1 } }))).code, "missing_key");
});

test("a scalar key is one column called `key`, converted by its schema", () => {
  assert.deepEqual(decodeKey(json(42)), [{ name: "key", value: 42 }]);
  assert.deepEqual(decodeKey(json("abc")), [{ name: "key", value: "abc" }]);
  assert.deepEqual(decodeKey(json({ schema: { type: "bytes" }, payload: "AQI=" })), [
    { name: "key", value: new Uint8Array([1, 2]) },
  ]);
});

test("key columns follow the schema's order and keep only columns present; without schema, the JSON's", () => {
  const schema = {
    type: "struct",
    fields: [
      { field: "b", type: "bytes" },
      { field: "missing", type: "int32" },
      { field: "a", type: "int32" },
    ],
  };
  assert.deepEqual(decodeKey(json({ schema, payload: { a: 1, b: "AQ==" } })), [
    { name: "b", value: new Uint8Array([1]) },
    { name: "a", value: 1 },
  ]);
  assert.deepEqual(decodeKey(json({ z: 1, a: null })), [
    { name: "z", value: 1 },
    { name: "a", value: null },
  ]);
});

test("a schema field without a name never picks a key column, even one called `undefined`", () => {
  const schema = { type: "struct", fields: [{ type: "int32" }, { field: "a", type: "int32" }] };
  assert.deepEqual(decodeKey(json({ schema, payload: { a: 1, undefined: 2 } })), [{ name: "a", value: 1 }]);
});

test("rows with binary keys stay apart: the id holds the bytes", () => {
  const schema = { type: "struct", fields: [{ field: "id", type: "bytes" }] };
  const key = (b64: string) => json({ schema, payload: { id: b64 } });
  const value = pgEnvelope({ op: "u", id: 1, lsn: 10 });
  assert.equal(decode(key("AQ=="), value).id, '[{"$b64":"AQ=="}]');
  assert.notEqual(decode(key("AQ=="), value).id, decode(key("Ag=="), value).id);
});

test("a key nested past DynamoDB's levels is too deep", () => {
  let v: unknown = 1;
  for (let i = 0; i < 32; i++) v = [v];
  assert.equal(poison(() => decodeKey(json({ id: v }))).code, "too_deep");
});

test("bytes that are not UTF-8 or not JSON are undecodable, and the message never quotes them", () => {
  const bad = Buffer.from([0xff, 0xfe, 0x41]);
  const utf8 = poison(() => parseMessage(bad, "value"));
  assert.equal(utf8.code, "undecodable");
  assert.match(utf8.message, /message value is not valid UTF-8/);
  // V8 quotes the input in some of its messages ("Unexpected token 'Z', "{"a":Zsecret}" is not…").
  const quoted = poison(() => parseMessage(Buffer.from('{"a":Zsecret}'), "key"));
  assert.equal(quoted.code, "undecodable");
  assert.equal(quoted.message, "the message key is not JSON (13 bytes)");
  // …and a position in others, which is kept: where to look, without the text.
  const trailing = poison(() => parseMessage(Buffer.from('{"a":1}secret'), "value"));
  assert.equal(trailing.message, "the message value is not JSON (13 bytes, malformed at character 7)");
});

test("JSON nested thousands deep is too deep, not a stack overflow", () => {
  const deep = Buffer.from("[".repeat(200_000) + "]".repeat(200_000));
  const err = poison(() => parseMessage(deep, "value"));
  assert.equal(err.code, "too_deep");
  assert.match(err.message, /^the message value nests more than 31 lists or maps/);
});

test("a null or empty value is a Kafka tombstone or poison; a null payload is a tombstone", () => {
  const base = record({ offset: "1", key: pgKey(1) });
  assert.deepEqual(decodeKafkaRecord({ ...base, value: null }, auto), {
    kind: "skip",
    reason: "kafka_tombstone",
  });
  assert.equal(
    poison(() => decodeKafkaRecord({ ...base, value: Buffer.alloc(0) }, auto)).code,
    "undecodable",
  );
  assert.deepEqual(decodeKafkaRecord({ ...base, value: json(null) }, auto), {
    kind: "skip",
    reason: "kafka_tombstone",
  });
  assert.deepEqual(decodeKafkaRecord({ ...base, value: json({ schema: {}, payload: null }) }, auto), {
    kind: "skip",
    reason: "kafka_tombstone",
  });
  for (const v of [[1], 5, "x"])
    assert.equal(poison(() => decodeKafkaRecord({ ...base, value: json(v) }, auto)).code, "invalid_envelope");
});

test("skipped ops read no key: a truncate or message without a key is skipped, not poison", () => {
  const base: KafkaRecord = record({ offset: "1", key: null });
  assert.deepEqual(decodeKafkaRecord({ ...base, value: json({ op: "t", source: {} }) }, auto), {
    kind: "skip",
    reason: "truncate",
  });
  let keyRead = false;
  const d = decodeMessage(
    () => {
      keyRead = true;
      return null;
    },
    { payload: { op: "m" } },
    base,
    auto,
  );
  assert.deepEqual(d, { kind: "skip", reason: "message" });
  assert.equal(keyRead, false);
});

test("the unavailable-value placeholder is refused as text, base64, hex, bytes, or an array of them", () => {
  const placeholder = "__debezium_unavailable_value";
  const forms: unknown[] = [
    placeholder,
    Buffer.from(placeholder).toString("base64"),
    Buffer.from(placeholder).toString("hex"),
    [placeholder, placeholder],
  ];
  for (const form of forms) {
    const err = poison(() => decode(pgKey(1), pgEnvelope({ op: "u", id: 1, lsn: 10, row: { doc: form } })));
    assert.equal(err.code, "unavailable_value", JSON.stringify(form));
    assert.match(err.message, /column "doc"/);
  }
  const bytesSchema = {
    type: "struct",
    fields: [{ field: "after", type: "struct", fields: [{ field: "doc", type: "bytes" }] }],
  };
  const asBytes = {
    schema: bytesSchema,
    payload: pgEnvelope({
      op: "u",
      id: 1,
      lsn: 10,
      row: { doc: Buffer.from(placeholder).toString("base64") },
    }),
  };
  assert.equal(poison(() => decode(pgKey(1), asBytes)).code, "unavailable_value");
  // Not the placeholder: an empty array, a mixed array, other text or bytes.
  for (const ok of [[], [placeholder, "x"], `${placeholder}x`, "x"])
    assert.equal(decode(pgKey(1), pgEnvelope({ op: "u", id: 1, lsn: 10, row: { doc: ok } })).id, "[1]");
  const otherBytes = {
    schema: bytesSchema,
    payload: pgEnvelope({ op: "u", id: 1, lsn: 10, row: { doc: "AQ==" } }),
  };
  assert.deepEqual(decode(pgKey(1), otherBytes).row?.["doc"], new Uint8Array([1]));
  // A delete's before image may hold it: the delete needs only the key.
  const del = pgEnvelope({ op: "d", id: 1, lsn: 10 });
  (del["before"] as Record<string, unknown>)["doc"] = placeholder;
  assert.equal(decode(pgKey(1), del).row, null);
});

test("a delete has no row and takes its version from the before image", () => {
  const value = { op: "d", before: { id: 1, rev: 7 }, after: null, source: { table: "t" } };
  const d = decodeKafkaRecord(record({ offset: "1", key: pgKey(1), value: json(value) }), {
    versionSource: "column",
    versionColumn: "rev",
    epoch: 0,
  });
  assert.equal(d.kind, "change");
  const event = (d as { event: ChangeEvent }).event;
  assert.equal(event.row, null);
  assert.equal(event.version, `col:0000:${"7".padStart(20, "0")}:2`);
  assert.equal(event.versionScheme, "col:");
  assert.equal(event.op, "d");
});

test("the source timestamp is read from numbers and digit strings; anything else leaves it unset", () => {
  const withTs = (ts: unknown) => {
    const value = pgEnvelope({ op: "u", id: 1, lsn: 10 });
    (value["source"] as Record<string, unknown>)["ts_ms"] = ts;
    return decode(pgKey(1), value).sourceTsMs;
  };
  assert.equal(withTs(1_700_000_000_000), 1_700_000_000_000);
  assert.equal(withTs("1700000000001"), 1_700_000_000_001);
  assert.equal(withTs(null), undefined);
  assert.equal(withTs(undefined), undefined);
  assert.equal(withTs("soon"), undefined);
  const huge = pgEnvelope({ op: "u", id: 1, lsn: 10 });
  (huge["source"] as Record<string, unknown>)["ts_ms"] = "1e400";
  assert.equal(decode(pgKey(1), huge).sourceTsMs, undefined, "not finite");
});

test("transaction metadata reaches the version only as an object", () => {
  const mysql = (transaction: unknown) => ({
    op: "u",
    after: { id: 1 },
    source: { connector: "mysql", file: "b.000001", pos: 4, row: 0 },
    transaction,
  });
  const z = (n: number) => String(n).padStart(20, "0");
  assert.equal(decode(pgKey(1), mysql({ total_order: 3 })).version.split(":")[5], z(3));
  assert.equal(decode(pgKey(1), mysql(null)).version.split(":")[5], z(0));
  assert.equal(decode(pgKey(1), mysql([3])).version.split(":")[5], z(0));
});

test("the event carries its op, source name, key columns and exact numbers", () => {
  const value = pgEnvelope({ op: "c", id: 1, lsn: 10, row: { n: 0 } });
  const raw = JSON.stringify(value).replace('"n":0', '"n":12345678901234567890');
  const d = decodeKafkaRecord(record({ offset: "3", key: pgKey(1), value: Buffer.from(raw) }), auto);
  const event = (d as { event: ChangeEvent }).event;
  assert.equal(event.op, "c");
  assert.equal(event.source, "pg.app.public.customers");
  assert.deepEqual(event.keyColumns, [{ name: "id", value: 1 }]);
  assert.deepEqual(event.row?.["n"], new JsonNumber("12345678901234567890"));
  assert.equal(event.versionScheme, "pg:");
});
