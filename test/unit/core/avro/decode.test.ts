// The Avro path end to end without a registry: bytes framed as Confluent's converters frame them →
// the change event the JSON path would produce for the same row. Expected values are written out
// from the Avro specification's definition of each logical type and Debezium's semantic types.

import assert from "node:assert/strict";
import { test } from "node:test";
import { compileReader, type AvroReader } from "../../../../src/core/avro/reader.ts";
import { decodeAvroRecord, schemaIdsOf } from "../../../../src/core/avro/record.ts";
import { JsonNumber } from "../../../../src/core/json.ts";
import type { ChangeEvent, KafkaRecord } from "../../../../src/core/types.ts";
import {
  avroBody,
  envelopeSchema,
  framed,
  keySchema,
  pgSource,
  unscaledBytes,
} from "../../../support/avro-records.ts";
import { record } from "../../../support/debezium-records.ts";
import { poisonCode } from "../../../support/poison.ts";

const options = { versionSource: "auto", epoch: 0 } as const;
const KEY_ID = 1;
const VALUE_ID = 2;

const valueFields = [
  { name: "id", type: "int" },
  { name: "price", type: { type: "bytes", logicalType: "decimal", precision: 10, scale: 2 } },
  {
    name: "connect_price",
    type: {
      type: "bytes",
      "connect.name": "org.apache.kafka.connect.data.Decimal",
      "connect.parameters": { scale: "3" },
    },
  },
  {
    name: "fixed_price",
    type: { type: "fixed", name: "Money", size: 4, logicalType: "decimal", precision: 8, scale: 4 },
  },
  {
    name: "any_numeric",
    type: [
      "null",
      {
        type: "record",
        name: "VariableScaleDecimal",
        namespace: "io.debezium.data",
        "connect.name": "io.debezium.data.VariableScaleDecimal",
        fields: [
          { name: "scale", type: "int" },
          { name: "value", type: "bytes" },
        ],
      },
    ],
    default: null,
  },
  { name: "big", type: "long" },
  { name: "negative_big", type: "long" },
  { name: "blob", type: ["null", "bytes"], default: null },
  { name: "created_ms", type: { type: "long", logicalType: "timestamp-millis" } },
  { name: "created_us", type: { type: "long", logicalType: "timestamp-micros" } },
  { name: "local_us", type: { type: "long", logicalType: "local-timestamp-micros" } },
  { name: "day", type: { type: "int", logicalType: "date" } },
  { name: "at_ms", type: { type: "int", logicalType: "time-millis" } },
  { name: "at_us", type: { type: "long", logicalType: "time-micros" } },
  { name: "uid", type: { type: "string", logicalType: "uuid" } },
  { name: "dbz_micro", type: { type: "long", "connect.name": "io.debezium.time.MicroTimestamp" } },
  { name: "dbz_zoned", type: { type: "string", "connect.name": "io.debezium.time.ZonedTimestamp" } },
  { name: "ratio", type: "float" },
  { name: "ratio_nan", type: "double" },
  { name: "flag", type: ["null", "boolean"], default: null },
  { name: "mood", type: { type: "enum", name: "Mood", symbols: ["happy", "sad"] } },
  { name: "tags", type: { type: "array", items: ["null", "string"] } },
  { name: "blobs", type: { type: "array", items: "bytes" } },
  { name: "attrs", type: { type: "map", values: "long" } },
  { name: "note", type: ["null", "string"], default: null },
];

const readers = new Map<number, AvroReader>([
  [KEY_ID, compileReader(KEY_ID, JSON.stringify(keySchema))],
  [VALUE_ID, compileReader(VALUE_ID, JSON.stringify(envelopeSchema(valueFields)))],
]);
const lookup = (id: number): AvroReader => {
  const reader = readers.get(id);
  if (reader === undefined) throw new Error(`no schema ${id}`);
  return reader;
};

const row = {
  id: 7,
  price: unscaledBytes(-123456n), // -1234.56
  connect_price: unscaledBytes(5n), // 0.005
  fixed_price: Buffer.from([0x00, 0x01, 0xe2, 0x40]), // 123456 → 12.3456
  any_numeric: {
    "io.debezium.data.VariableScaleDecimal": { scale: 30, value: unscaledBytes(10n ** 40n + 1n) },
  },
  big: 2n ** 62n + 1n,
  negative_big: -(2n ** 63n),
  blob: { bytes: Buffer.from([0, 1, 2, 255]) },
  created_ms: 1_714_564_800_654n,
  created_us: 1_714_564_800_654_321n,
  local_us: -1n,
  day: 19_844,
  at_ms: 86_399_999,
  at_us: 86_399_999_999n,
  uid: "8c2a9b7e-0000-4000-8000-000000000001",
  dbz_micro: 9_007_199_254_740_993n, // 2^53 + 1 µs
  dbz_zoned: "2024-05-01T10:00:00.123456Z",
  ratio: 1.1,
  ratio_nan: NaN,
  flag: { boolean: false },
  mood: "sad",
  tags: [{ string: "a" }, null],
  blobs: [Buffer.from("hi")],
  attrs: [
    { key: "__proto__", value: 1n },
    { key: "n", value: 2n ** 60n },
  ],
  note: null,
};

function avroRecord(op: "c" | "u" | "d" | "r", offset: number, lsn: bigint): KafkaRecord {
  const image = { "pg.public.customers.Value": row };
  const envelope = {
    before: op === "d" ? image : null,
    after: op === "d" ? null : image,
    source: pgSource(lsn, 5n),
    op,
    ts_ms: { long: 1_700_000_000_100n },
  };
  return record({
    offset: String(offset),
    key: framed(KEY_ID, avroBody(keySchema, { id: 7 })),
    value: framed(VALUE_ID, avroBody(envelopeSchema(valueFields), envelope)),
  });
}

function change(r: KafkaRecord): ChangeEvent {
  const d = decodeAvroRecord(r, lookup, options);
  assert.equal(d.kind, "change");
  return (d as { event: ChangeEvent }).event;
}

test("an Avro create decodes to the same source, id and version as its JSON twin", () => {
  const lsn = 2n ** 60n;
  const event = change(avroRecord("c", 3, lsn));
  assert.equal(event.op, "c");
  assert.equal(event.source, "pg.app.public.customers");
  assert.equal(event.id, "[7]");
  assert.deepEqual(event.keyColumns, [{ name: "id", value: 7 }]);
  assert.equal(event.version, `pg:0000:${"5".padStart(20, "0")}:1:${lsn.toString().padStart(20, "0")}`);
  assert.equal(event.sourceTsMs, 1_700_000_000_000);
});

test("every logical and semantic type lands exactly", () => {
  const r = change(avroRecord("u", 4, 10n)).row!;
  const text = (v: unknown): string => (assert.ok(v instanceof JsonNumber), v.text);
  assert.equal(text(r["price"]), "-1234.56");
  assert.equal(text(r["connect_price"]), "0.005");
  assert.equal(text(r["fixed_price"]), "12.3456");
  assert.equal(text(r["any_numeric"]), "10000000000.000000000000000000000000000001");
  assert.equal(text(r["big"]), (2n ** 62n + 1n).toString());
  assert.equal(text(r["negative_big"]), "-9223372036854775808");
  assert.deepEqual(r["blob"], new Uint8Array([0, 1, 2, 255]));
  assert.equal(r["created_ms"], 1_714_564_800_654);
  assert.equal(r["created_us"], 1_714_564_800_654_321);
  assert.equal(r["local_us"], -1);
  assert.equal(r["day"], 19_844);
  assert.equal(r["at_ms"], 86_399_999);
  assert.equal(r["at_us"], 86_399_999_999);
  assert.equal(r["uid"], "8c2a9b7e-0000-4000-8000-000000000001");
  assert.equal(text(r["dbz_micro"]), "9007199254740993");
  assert.equal(r["dbz_zoned"], "2024-05-01T10:00:00.123456Z");
  assert.equal(r["ratio"], 1.1, "a float is written as the shortest decimal of that float, as Java does");
  assert.equal(r["ratio_nan"], "NaN");
  assert.equal(r["flag"], false);
  assert.equal(r["mood"], "sad");
  assert.deepEqual(r["tags"], ["a", null]);
  assert.deepEqual(r["blobs"], [new Uint8Array(Buffer.from("hi"))]);
  assert.equal(r["note"], null);
  const attrs = r["attrs"] as Record<string, unknown>;
  assert.deepEqual(Object.keys(attrs), ["__proto__", "n"]);
  assert.equal(Object.getOwnPropertyDescriptor(attrs, "__proto__")?.value, 1);
  assert.equal(text(attrs["n"]), (2n ** 60n).toString());
});

test("a delete has no row, a Kafka tombstone is skipped without reading its key", () => {
  const event = change(avroRecord("d", 5, 11n));
  assert.equal(event.op, "d");
  assert.equal(event.row, null);
  const tombstone = record({ offset: "6", key: Buffer.from([1, 2]), value: null });
  assert.deepEqual(decodeAvroRecord(tombstone, lookup, options), { kind: "skip", reason: "kafka_tombstone" });
  assert.deepEqual(schemaIdsOf(tombstone), []);
});

test("the schema ids a record needs: value and key, once each", () => {
  assert.deepEqual(schemaIdsOf(avroRecord("c", 1, 1n)), [VALUE_ID, KEY_ID]);
  const sameId = record({ offset: "1", key: framed(9, Buffer.alloc(0)), value: framed(9, Buffer.alloc(0)) });
  assert.deepEqual(schemaIdsOf(sameId), [9]);
  assert.deepEqual(schemaIdsOf(record({ offset: "1", value: Buffer.from("{}") })), []);
});

test("a body that does not match its schema is poison avro_mismatch", () => {
  const good = avroRecord("c", 1, 1n);
  const truncated = { ...good, value: good.value!.subarray(0, good.value!.length - 3) };
  assert.equal(
    poisonCode(() => decodeAvroRecord(truncated, lookup, options)),
    "avro_mismatch",
  );
  const trailing = { ...good, value: Buffer.concat([good.value!, Buffer.from([0])]) };
  assert.equal(
    poisonCode(() => decodeAvroRecord(trailing, lookup, options)),
    "avro_mismatch",
  );
  // The key framed with the value's schema id: read with the wrong schema.
  const wrongKey = { ...good, key: framed(VALUE_ID, avroBody(keySchema, { id: 7 })) };
  assert.equal(
    poisonCode(() => decodeAvroRecord(wrongKey, lookup, options)),
    "avro_mismatch",
  );
});

test("bytes that are not Confluent-framed are poison undecodable, naming the setting", () => {
  const json = record({ offset: "1", key: null, value: Buffer.from('{"op":"c"}') });
  assert.equal(
    poisonCode(() => decodeAvroRecord(json, lookup, options)),
    "undecodable",
  );
  try {
    decodeAvroRecord(json, lookup, options);
  } catch (err) {
    assert.match((err as Error).message, /RECORD_ENCODING=avro/);
    assert.match((err as Error).message, /first byte 0x7b/);
  }
  const empty = record({ offset: "1", value: Buffer.alloc(0) });
  assert.equal(
    poisonCode(() => decodeAvroRecord(empty, lookup, options)),
    "undecodable",
  );
});

test("a record with a framed value but no key is missing_key", () => {
  const good = avroRecord("c", 1, 1n);
  assert.equal(
    poisonCode(() => decodeAvroRecord({ ...good, key: null }, lookup, options)),
    "missing_key",
  );
});

test("a schema that is not Avro is poison avro_schema_invalid", () => {
  assert.equal(
    poisonCode(() => compileReader(3, "{not json")),
    "avro_schema_invalid",
  );
  assert.equal(
    poisonCode(() => compileReader(3, JSON.stringify({ type: "nope" }))),
    "avro_schema_invalid",
  );
  assert.equal(
    poisonCode(() =>
      compileReader(3, JSON.stringify({ type: "record", name: "R", fields: [{ name: "a", type: "Nope" }] })),
    ),
    "avro_schema_invalid",
  );
});

test("a record may refer to itself; names resolve through namespaces", () => {
  const schema = {
    type: "record",
    name: "Node",
    namespace: "t",
    fields: [
      { name: "v", type: "long" },
      { name: "next", type: ["null", "Node"], default: null },
      { name: "raw", type: ["null", "t.Node"], default: null },
    ],
  };
  const reader = compileReader(4, JSON.stringify(schema));
  const value = { v: 1n, next: { "t.Node": { v: 2n, next: null, raw: null } }, raw: null };
  const message = reader.read(avroBody(schema, value), "value");
  assert.deepEqual(message.payload, { v: 1, next: { v: 2, next: null, raw: null }, raw: null });
  assert.equal(message.schema?.type, "struct");
});

test("long and float edges: 2^53 ± 1, the most negative long, floats read back as Java writes them", () => {
  const schema = {
    type: "record",
    name: "N",
    fields: [
      { name: "longs", type: { type: "array", items: "long" } },
      { name: "floats", type: { type: "array", items: "float" } },
    ],
  };
  const reader = compileReader(5, JSON.stringify(schema));
  const longs = [2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, 0n];
  const floats = [0.1, -3.4028234663852886e38, 1e-45, Infinity, -Infinity, 0, 16777217];
  const { payload } = reader.read(avroBody(schema, { longs, floats }), "value");
  const p = payload as { longs: unknown[]; floats: unknown[] };
  assert.deepEqual(
    p.longs.map((v) => (v instanceof JsonNumber ? v.text : v)),
    [9007199254740991, "9007199254740992", "9007199254740993", "-9007199254740993", "9223372036854775807", 0],
  );
  assert.deepEqual(p.floats, [0.1, -3.4028235e38, 1e-45, "Infinity", "-Infinity", 0, 16777216]);
});
