import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeKey } from "../../../src/core/decode.ts";
import { decodeKafkaRecord } from "../../../src/core/record.ts";
import { JsonNumber } from "../../../src/core/json.ts";
import { pgEnvelope, pgRecord, record } from "../../support/debezium-records.ts";
import { poisonCode } from "../../support/poison.ts";

const options = { versionSource: "auto", epoch: 0 } as const;

test("a PostgreSQL create decodes to its source, id, version and row", () => {
  const d = decodeKafkaRecord(
    pgRecord({ op: "c", id: 7, lsn: 2n ** 60n, lastCommitLsn: 5, row: { name: "Ada" } }, 3),
    options,
  );
  assert.equal(d.kind, "change");
  if (d.kind !== "change") return;
  assert.equal(d.event.source, "pg.app.public.customers");
  assert.equal(d.event.id, "[7]");
  assert.equal(
    d.event.version,
    `pg:0000:${"5".padStart(20, "0")}:1:${(2n ** 60n).toString().padStart(20, "0")}`,
  );
  assert.deepEqual(d.event.row, { id: 7, name: "Ada" });
});

test("the JsonConverter schema wrapper is unwrapped, and its decimals and bytes decoded", () => {
  const envelope = pgEnvelope({ op: "u", id: 1, lsn: 10, row: { price: "AOo=", blob: "AQI=" } });
  const schema = {
    type: "struct",
    fields: [
      { field: "before", type: "struct", optional: true, fields: [] },
      {
        field: "after",
        type: "struct",
        fields: [
          { field: "id", type: "int32" },
          {
            field: "price",
            type: "bytes",
            name: "org.apache.kafka.connect.data.Decimal",
            parameters: { scale: "2" },
          },
          { field: "blob", type: "bytes" },
        ],
      },
    ],
  };
  const value = Buffer.from(JSON.stringify({ schema, payload: envelope }));
  const key = Buffer.from(
    JSON.stringify({
      schema: { type: "struct", fields: [{ field: "id", type: "int32" }] },
      payload: { id: 1 },
    }),
  );
  const d = decodeKafkaRecord(record({ offset: "0", key, value }), options);
  assert.equal(d.kind, "change");
  if (d.kind !== "change") return;
  assert.deepEqual(d.event.row?.["price"], new JsonNumber("2.34"));
  assert.deepEqual(d.event.row?.["blob"], new Uint8Array([1, 2]));
});

test("composite keys keep the key schema's column order", () => {
  const key = Buffer.from(
    JSON.stringify({
      schema: { type: "struct", fields: [{ field: "b" }, { field: "a" }] },
      payload: { a: "x:y", b: 2 },
    }),
  );
  assert.deepEqual(
    decodeKey(key).map((c) => c.name),
    ["b", "a"],
  );
});

test("Kafka tombstones, truncates and messages are skipped with a reason", () => {
  assert.deepEqual(
    decodeKafkaRecord(record({ offset: "0", key: Buffer.from('{"id":1}'), value: null }), options),
    { kind: "skip", reason: "kafka_tombstone" },
  );
  const t = Buffer.from(JSON.stringify({ op: "t", source: { connector: "postgresql", lsn: 1 } }));
  assert.deepEqual(decodeKafkaRecord(record({ offset: "0", value: t }), options), {
    kind: "skip",
    reason: "truncate",
  });
  const m = Buffer.from(JSON.stringify({ op: "m", source: { connector: "postgresql", lsn: 1 } }));
  assert.deepEqual(decodeKafkaRecord(record({ offset: "0", value: m }), options), {
    kind: "skip",
    reason: "message",
  });
});

test("a delete keeps the key and no row", () => {
  const d = decodeKafkaRecord(pgRecord({ op: "d", id: 9, lsn: 20 }, 1), options);
  assert.ok(d.kind === "change" && d.event.op === "d" && d.event.row === null && d.event.id === "[9]");
});

test("bad input is poison with a code that says why", () => {
  const key = Buffer.from('{"id":1}');
  assert.equal(
    poisonCode(() =>
      decodeKafkaRecord(record({ offset: "0", key, value: Buffer.from([0xff, 0xfe, 0x00]) }), options),
    ),
    "undecodable",
  );
  assert.equal(
    poisonCode(() =>
      decodeKafkaRecord(record({ offset: "0", key, value: Buffer.from("{not json") }), options),
    ),
    "undecodable",
  );
  assert.equal(
    poisonCode(() => decodeKafkaRecord(record({ offset: "0", key, value: Buffer.from("[1,2]") }), options)),
    "invalid_envelope",
  );
  assert.equal(
    poisonCode(() =>
      decodeKafkaRecord(record({ offset: "0", key, value: Buffer.from('{"op":"x"}') }), options),
    ),
    "invalid_envelope",
  );
  assert.equal(
    poisonCode(() =>
      decodeKafkaRecord(record({ offset: "0", key, value: Buffer.from('{"op":"c","after":null}') }), options),
    ),
    "invalid_envelope",
  );
  assert.equal(
    poisonCode(() =>
      decodeKafkaRecord(
        record({ offset: "0", key: null, value: pgRecord({ op: "c", id: 1, lsn: 1 }, 0).value }),
        options,
      ),
    ),
    "missing_key",
  );
  const noLsn = Buffer.from(
    JSON.stringify({ op: "c", after: { id: 1 }, source: { connector: "postgresql" } }),
  );
  assert.equal(
    poisonCode(() => decodeKafkaRecord(record({ offset: "0", key, value: noLsn }), options)),
    "missing_version",
  );
  assert.equal(
    poisonCode(() => decodeKafkaRecord(record({ offset: "0", key, value: Buffer.alloc(0) }), options)),
    "undecodable",
  );
});
