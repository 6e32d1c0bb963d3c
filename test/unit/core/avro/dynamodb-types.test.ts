// docs/formats/avro.md's table "How each Avro type lands in DynamoDB", row by row: a column of each
// Avro type, framed as the converters write it, decoded and built into the item the sink puts.
// Each expectation is the attribute the table names, with its exact text.

import assert from "node:assert/strict";
import { test } from "node:test";
import { compileReader } from "../../../../src/core/avro/reader.ts";
import { decodeAvroRecord } from "../../../../src/core/avro/record.ts";
import type { AttributeValue } from "../../../../src/core/attribute-value.ts";
import { buildPut } from "../../../../src/core/item.ts";
import type { ChangeEvent } from "../../../../src/core/types.ts";
import {
  avroBody,
  envelopeSchema,
  framed,
  keySchema,
  pgSource,
  unscaledBytes,
} from "../../../support/avro-records.ts";
import { record } from "../../../support/debezium-records.ts";
import { itemOptions } from "../../../support/item-options.ts";

const options = itemOptions();

const dbz = (type: string, name: string): object => ({ type, "connect.name": name });
const vsd = {
  type: "record",
  name: "VariableScaleDecimal",
  namespace: "io.debezium.data",
  "connect.name": "io.debezium.data.VariableScaleDecimal",
  fields: [
    { name: "scale", type: "int" },
    { name: "value", type: "bytes" },
  ],
};

/** [the docs row, the column's Avro type, the value avsc writes, the attribute in the item]. */
const CASES: [string, unknown, unknown, AttributeValue][] = [
  ["null branch", ["null", "string"], null, { NULL: true }],
  ["boolean", "boolean", true, { BOOL: true }],
  ["int", "int", -2_147_483_648, { N: "-2147483648" }],
  ["long beyond 2^53", "long", 2n ** 63n - 1n, { N: "9223372036854775807" }],
  ["long within 2^53", "long", -(2n ** 53n) + 1n, { N: "-9007199254740991" }],
  ["float", "float", Math.fround(1.1), { N: "1.1" }],
  ["double", "double", 0.1, { N: "0.1" }],
  ["double NaN", "double", NaN, { S: "NaN" }],
  ["double -Infinity", "double", -Infinity, { S: "-Infinity" }],
  ["string", "string", "Zoë", { S: "Zoë" }],
  [
    "uuid",
    { type: "string", logicalType: "uuid" },
    "8c2a9b7e-0000-4000-8000-000000000001",
    {
      S: "8c2a9b7e-0000-4000-8000-000000000001",
    },
  ],
  ["enum", { type: "enum", name: "Mood", symbols: ["happy", "sad"] }, "sad", { S: "sad" }],
  ["bytes", "bytes", Buffer.from([0, 255]), { B: new Uint8Array([0, 255]) }],
  ["fixed", { type: "fixed", name: "Two", size: 2 }, Buffer.from([1, 2]), { B: new Uint8Array([1, 2]) }],
  [
    "decimal on bytes",
    { type: "bytes", logicalType: "decimal", precision: 10, scale: 2 },
    unscaledBytes(-123456n),
    { N: "-1234.56" },
  ],
  [
    "decimal on fixed",
    { type: "fixed", name: "Money", size: 4, logicalType: "decimal", precision: 8, scale: 4 },
    Buffer.from([0x00, 0x01, 0xe2, 0x40]),
    { N: "12.3456" },
  ],
  [
    "Connect Decimal",
    {
      type: "bytes",
      "connect.name": "org.apache.kafka.connect.data.Decimal",
      "connect.parameters": { scale: "3" },
    },
    unscaledBytes(5n),
    { N: "0.005" },
  ],
  [
    "decimal past 38 digits",
    { type: "bytes", logicalType: "decimal", precision: 45, scale: 5 },
    unscaledBytes(10n ** 44n + 1n),
    { S: "1000000000000000000000000000000000000000.00001" },
  ],
  ["VariableScaleDecimal", vsd, { scale: 3, value: unscaledBytes(-1n) }, { N: "-0.001" }],
  ["date", { type: "int", logicalType: "date" }, 19_844, { N: "19844" }],
  ["time-millis", { type: "int", logicalType: "time-millis" }, 86_399_999, { N: "86399999" }],
  ["time-micros", { type: "long", logicalType: "time-micros" }, 86_399_999_999n, { N: "86399999999" }],
  ["timestamp-millis", { type: "long", logicalType: "timestamp-millis" }, -1n, { N: "-1" }],
  [
    "timestamp-micros",
    { type: "long", logicalType: "timestamp-micros" },
    1_714_564_800_654_321n,
    { N: "1714564800654321" },
  ],
  [
    "local-timestamp-millis",
    { type: "long", logicalType: "local-timestamp-millis" },
    1_714_564_800_654n,
    { N: "1714564800654" },
  ],
  [
    "local-timestamp-micros",
    { type: "long", logicalType: "local-timestamp-micros" },
    1_714_564_800_654_321n,
    { N: "1714564800654321" },
  ],
  ["io.debezium.time.Date", dbz("int", "io.debezium.time.Date"), -1, { N: "-1" }],
  ["io.debezium.time.Time", dbz("int", "io.debezium.time.Time"), 1_000, { N: "1000" }],
  ["io.debezium.time.MicroTime", dbz("long", "io.debezium.time.MicroTime"), 1_000_001n, { N: "1000001" }],
  [
    "io.debezium.time.NanoTime",
    dbz("long", "io.debezium.time.NanoTime"),
    1_000_000_001n,
    { N: "1000000001" },
  ],
  [
    "io.debezium.time.Timestamp",
    dbz("long", "io.debezium.time.Timestamp"),
    1_714_564_800_654n,
    {
      N: "1714564800654",
    },
  ],
  [
    "io.debezium.time.MicroTimestamp",
    dbz("long", "io.debezium.time.MicroTimestamp"),
    2n ** 53n + 1n,
    {
      N: "9007199254740993",
    },
  ],
  [
    "io.debezium.time.NanoTimestamp",
    dbz("long", "io.debezium.time.NanoTimestamp"),
    1_714_564_800_654_321_987n,
    {
      N: "1714564800654321987",
    },
  ],
  [
    "io.debezium.time.MicroDuration",
    dbz("double", "io.debezium.time.MicroDuration"),
    2.5e12,
    {
      N: "2500000000000",
    },
  ],
  [
    "io.debezium.time.ZonedTimestamp",
    dbz("string", "io.debezium.time.ZonedTimestamp"),
    "2024-05-01T10:00:00.123456Z",
    {
      S: "2024-05-01T10:00:00.123456Z",
    },
  ],
  [
    "io.debezium.time.ZonedTime",
    dbz("string", "io.debezium.time.ZonedTime"),
    "10:00:00.5Z",
    { S: "10:00:00.5Z" },
  ],
  ["io.debezium.data.Json", dbz("string", "io.debezium.data.Json"), '{"a":1}', { S: '{"a":1}' }],
  [
    "io.debezium.data.Uuid",
    dbz("string", "io.debezium.data.Uuid"),
    "8c2a9b7e-0000-4000-8000-000000000002",
    {
      S: "8c2a9b7e-0000-4000-8000-000000000002",
    },
  ],
  [
    "array",
    { type: "array", items: ["null", "long"] },
    [{ long: 2n ** 60n }, null],
    {
      L: [{ N: "1152921504606846976" }, { NULL: true }],
    },
  ],
  [
    "map",
    { type: "map", values: "string" },
    [{ key: "__proto__", value: "x" }],
    {
      M: Object.defineProperty({}, "__proto__", { value: { S: "x" }, enumerable: true }),
    },
  ],
  [
    "record",
    { type: "record", name: "Point", fields: [{ name: "x", type: "int" }] },
    { x: 3 },
    {
      M: { x: { N: "3" } },
    },
  ],
  [
    "union of several types, bytes branch",
    ["null", "string", "bytes"],
    { bytes: Buffer.from("hi") },
    {
      S: "aGk=",
    },
  ],
];

function item(type: unknown, value: unknown): Record<string, AttributeValue> {
  const fields = [
    { name: "id", type: "int" },
    { name: "col", type },
  ];
  const schema = envelopeSchema(fields);
  const readers = new Map([
    [1, compileReader(1, JSON.stringify(keySchema))],
    [2, compileReader(2, JSON.stringify(schema))],
  ]);
  const envelope = {
    before: null,
    after: { "pg.public.customers.Value": { id: 1, col: value } },
    source: pgSource(10n),
    op: "c",
    ts_ms: null,
  };
  const decoded = decodeAvroRecord(
    record({
      offset: "0",
      key: framed(1, avroBody(keySchema, { id: 1 })),
      value: framed(2, avroBody(schema, envelope)),
    }),
    (id) => readers.get(id)!,
    { versionSource: "auto", epoch: 0 },
  );
  assert.equal(decoded.kind, "change");
  const event = (decoded as { event: ChangeEvent }).event;
  return buildPut(event, { topic: "t", partition: 0, offset: "0" }, options, 0).Item!;
}

for (const [row, type, value, expected] of CASES)
  test(`Avro ${row} → ${Object.keys(expected)[0]}`, () => {
    assert.deepEqual(item(type, value)["col"], expected);
  });
