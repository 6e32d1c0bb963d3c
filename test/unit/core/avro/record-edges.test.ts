// The Avro record path's edges (avro/record.ts): which schema ids a record needs, side topics,
// empty values and keys, all before or around the shared format dispatch.

import assert from "node:assert/strict";
import { test } from "node:test";
import { compileReader, type AvroReader } from "../../../../src/core/avro/reader.ts";
import { decodeAvroRecord, schemaIdsOf } from "../../../../src/core/avro/record.ts";
import { PoisonError } from "../../../../src/core/errors.ts";
import type { DecodeOptions } from "../../../../src/core/types.ts";
import { avroBody, framed } from "../../../support/avro-records.ts";
import { record } from "../../../support/debezium-records.ts";
import { poisonCode as code } from "../../../support/poison.ts";

const keySchema = { type: "record", name: "K", fields: [{ name: "id", type: "int" }] };
const rowSchema = {
  type: "record",
  name: "Row",
  fields: [
    { name: "id", type: "int" },
    { name: "__lsn", type: "long" },
  ],
};
const readers = new Map<number, AvroReader>([
  [1, compileReader(1, JSON.stringify(keySchema))],
  [2, compileReader(2, JSON.stringify(rowSchema))],
]);
let asked: number[] = [];
const lookup = (id: number): AvroReader => {
  asked.push(id);
  const r = readers.get(id);
  if (r === undefined) throw new Error(`no schema ${id}`);
  return r;
};
const flat: DecodeOptions = { format: "flattened", versionSource: "auto", epoch: 0 };
const key = framed(1, avroBody(keySchema, { id: 7 }));
const value = framed(2, avroBody(rowSchema, { id: 7, __lsn: 5n }));

test("schemaIdsOf: framed value and key ids; none for unframed, short or empty bytes", () => {
  assert.deepEqual(schemaIdsOf(record({ offset: "1", key, value })), [2, 1]);
  assert.deepEqual(schemaIdsOf(record({ offset: "1", key: null, value })), [2]);
  assert.deepEqual(schemaIdsOf(record({ offset: "1", key, value: Buffer.from([0, 0, 0, 2]) })), [1]);
  assert.deepEqual(schemaIdsOf(record({ offset: "1", key, value: Buffer.from([1, 0, 0, 0, 2]) })), [1]);
  assert.deepEqual(schemaIdsOf(record({ offset: "1", key: Buffer.from([0, 0, 0, 0, 3]), value })), [2, 3]);
  assert.deepEqual(schemaIdsOf(record({ offset: "1", key: Buffer.alloc(0), value })), [2]);
});

test("a flattened Avro row decodes with its key; ids are looked up as the frames name them", () => {
  asked = [];
  const d = decodeAvroRecord(record({ offset: "1", key, value }), lookup, flat);
  assert.equal(d.kind, "change");
  assert.equal(d.kind === "change" && d.event.id, "[7]");
  assert.deepEqual(asked, [2, 1], "the key once, though two steps ask for it");
});

test("the heartbeat topic is skipped before its bytes are read", () => {
  asked = [];
  const hb = record({ topic: "__debezium-heartbeat.pg", offset: "1", key, value: Buffer.from([9]) });
  assert.deepEqual(decodeAvroRecord(hb, lookup, flat), { kind: "skip", reason: "heartbeat" });
  assert.deepEqual(asked, []);
});

test("an empty value is undecodable; an empty key is no key", () => {
  assert.equal(
    code(() => decodeAvroRecord(record({ offset: "1", key, value: Buffer.alloc(0) }), lookup, flat)),
    "undecodable",
  );
  assert.equal(
    code(() => decodeAvroRecord(record({ offset: "1", key: Buffer.alloc(0), value }), lookup, flat)),
    "missing_key",
  );
  assert.equal(
    code(() => decodeAvroRecord(record({ offset: "1", key: null, value }), lookup, flat)),
    "missing_key",
  );
  // An unframed key is the key's fault.
  const bad = record({ offset: "1", key: Buffer.from("{}"), value });
  assert.throws(
    () => decodeAvroRecord(bad, lookup, flat),
    (err: unknown) =>
      err instanceof PoisonError && err.code === "undecodable" && /message key/.test(err.message),
  );
});

test("a tombstone names no schema id: its key is never read", () => {
  assert.deepEqual(schemaIdsOf(record({ offset: "1", key, value: null })), []);
});

test("an empty or unframed value is refused as the value's fault, an empty one as empty", () => {
  assert.throws(
    () => decodeAvroRecord(record({ offset: "1", key, value: Buffer.alloc(0) }), lookup, flat),
    (err: unknown) => err instanceof PoisonError && /empty/.test(err.message),
  );
  assert.throws(
    () => decodeAvroRecord(record({ offset: "1", key, value: Buffer.from("{}") }), lookup, flat),
    (err: unknown) => err instanceof PoisonError && /message value/.test(err.message),
  );
});
