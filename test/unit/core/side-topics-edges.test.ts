// What is NOT a side record: near misses of each shape and name (side-topics.ts), which must reach
// the row decoders, so that a table is never skipped for looking like Debezium's bookkeeping.

import assert from "node:assert/strict";
import { test } from "node:test";
import { PoisonError } from "../../../src/core/errors.ts";
import { decodeKafkaRecord } from "../../../src/core/record.ts";
import { HEARTBEAT_TOPIC_PREFIX, sideRecord, sideTopic } from "../../../src/core/side-topics.ts";
import type { Message } from "../../../src/core/decode.ts";
import { record } from "../../support/debezium-records.ts";

const side = (payload: Message["payload"], key: Message["payload"] | null = { id: 1 }) =>
  sideRecord({ payload }, () => (key === null ? null : { payload: key }));
const named = (name: string | undefined) =>
  sideRecord(
    { payload: { id: 1 }, schema: { type: "struct", ...(name === undefined ? {} : { name }) } },
    () => null,
  );

test("the heartbeat topic is told by its prefix only", () => {
  assert.equal(HEARTBEAT_TOPIC_PREFIX, "__debezium-heartbeat.");
  assert.equal(sideTopic("__debezium-heartbeat.pg"), "heartbeat");
  assert.equal(sideTopic("pg.__debezium-heartbeat."), undefined);
  assert.equal(sideTopic("pg.public.t"), undefined);
});

test("schema names: Debezium's heartbeat, transaction and schema-change values, nothing else", () => {
  assert.equal(named("io.debezium.connector.common.Heartbeat"), "heartbeat");
  assert.equal(named("io.debezium.connector.common.TransactionMetadataValue"), "transaction_metadata");
  assert.equal(named("io.debezium.connector.sqlserver.SchemaChangeValue"), "schema_change");
  assert.equal(named("com.example.SchemaChangeValue"), undefined);
  assert.equal(named("io.debezium.connector.mysql.Envelope"), undefined);
  assert.equal(named("io.debezium.connector.common.Heartbeat.Value"), undefined);
  assert.equal(named(undefined), undefined);
});

test("a heartbeat shape needs exactly {ts_ms} and a key of exactly {serverName}", () => {
  assert.equal(side({ ts_ms: 1 }, { serverName: "pg" }), "heartbeat");
  assert.equal(side({ ts_ms: 1 }, { id: 1 }), undefined);
  assert.equal(side({ ts_ms: 1 }, { serverName: "pg", id: 1 }), undefined);
  assert.equal(side({ ts_ms: 1 }, null), undefined);
  assert.equal(side({ ts_ms: 1 }, "pg"), undefined);
  assert.equal(side({ ts_ms: 1, id: 1 }, { serverName: "pg" }), undefined);
  assert.equal(side({ id: 1 }, { serverName: "pg" }), undefined);
  assert.equal(side([{ ts_ms: 1 }], { serverName: "pg" }), undefined);
  // A key that cannot be read makes no heartbeat; the decoder reports it later.
  const throwing = () => {
    throw new PoisonError("undecodable", "bad key");
  };
  assert.equal(sideRecord({ payload: { ts_ms: 1 } }, throwing), undefined);
});

test("a transaction marker needs status BEGIN or END, id and ts_ms, and only the optional extras", () => {
  const base = { status: "BEGIN", id: "1:2", ts_ms: 1 };
  assert.equal(side(base), "transaction_metadata");
  assert.equal(
    side({ ...base, status: "END", event_count: 1, data_collections: [] }),
    "transaction_metadata",
  );
  assert.equal(side({ ...base, status: "COMMIT" }), undefined);
  assert.equal(side({ status: "BEGIN", ts_ms: 1 }), undefined);
  assert.equal(side({ status: "BEGIN", id: "1:2" }), undefined);
  assert.equal(side({ ...base, name: "x" }), undefined);
});

test("a schema change needs source, ts_ms, ddl and tableChanges, and only the optional extras", () => {
  const base = { source: {}, ts_ms: 1, ddl: "DROP TABLE t", tableChanges: [] };
  assert.equal(side(base), "schema_change");
  assert.equal(side({ ...base, databaseName: "app", schemaName: "s" }), "schema_change");
  assert.equal(side({ source: {}, ts_ms: 1, tableChanges: [] }), undefined);
  assert.equal(side({ ...base, owner: "x" }), undefined);
});

test("a heartbeat-shaped value without a serverName key reaches the decoder as a row", () => {
  const r = record({ topic: "t", offset: "1", value: Buffer.from('{"ts_ms":1}') });
  assert.throws(
    () => decodeKafkaRecord(r, { format: "envelope", versionSource: "auto", epoch: 0 }),
    (err: unknown) => err instanceof PoisonError && err.code === "invalid_envelope",
  );
});
