// Debezium's side topics are skipped with their reason, never decoded as rows nor dead-lettered.
// Shapes from debezium-connector-common (SchemaFactory.java, HistoryRecord).

import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeKafkaRecord } from "../../../src/core/record.ts";
import type { DecodeOptions } from "../../../src/core/types.ts";
import { record } from "../../support/debezium-records.ts";

const formats: DecodeOptions["format"][] = ["envelope", "flattened", "auto"];
const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

function skipReason(topic: string, key: unknown, value: unknown, format: DecodeOptions["format"]): string {
  const d = decodeKafkaRecord(record({ topic, offset: "0", key: json(key), value: json(value) }), {
    format,
    versionSource: "auto",
    epoch: 0,
  });
  assert.equal(d.kind, "skip", JSON.stringify(d));
  return d.kind === "skip" ? d.reason : "";
}

test("a heartbeat is skipped by its topic, its schema name, or its exact shape", () => {
  for (const f of formats) {
    assert.equal(skipReason("__debezium-heartbeat.pg", { serverName: "pg" }, { ts_ms: 1 }, f), "heartbeat");
    assert.equal(skipReason("custom-hb", { serverName: "pg" }, { ts_ms: 1 }, f), "heartbeat");
    const wrapped = {
      schema: { type: "struct", name: "io.debezium.connector.common.Heartbeat", fields: [] },
      payload: { ts_ms: 1 },
    };
    assert.equal(skipReason("hb", { serverName: "pg" }, wrapped, f), "heartbeat");
  }
  // Even bytes that are not JSON: the topic says what it is.
  const d = decodeKafkaRecord(
    record({ topic: "__debezium-heartbeat.pg", offset: "0", value: Buffer.from([0, 1, 2]) }),
    { versionSource: "auto", epoch: 0 },
  );
  assert.deepEqual(d, { kind: "skip", reason: "heartbeat" });
});

test("transaction BEGIN/END markers are skipped", () => {
  const begin = { status: "BEGIN", id: "571:53195832", event_count: null, data_collections: null, ts_ms: 1 };
  const end = {
    status: "END",
    id: "571:53195832",
    event_count: 2,
    data_collections: [{ data_collection: "s.a", event_count: 2 }],
    ts_ms: 1,
  };
  for (const f of formats) {
    assert.equal(skipReason("pg.transaction", { id: "571:53195832" }, begin, f), "transaction_metadata");
    assert.equal(skipReason("pg.transaction", { id: "571:53195832" }, end, f), "transaction_metadata");
  }
});

test("schema-change events are skipped", () => {
  const change = {
    source: { connector: "mysql", file: "b.000001", pos: 4 },
    ts_ms: 1,
    databaseName: "app",
    schemaName: null,
    ddl: "ALTER TABLE t ADD c INT",
    tableChanges: [],
  };
  for (const f of formats)
    assert.equal(skipReason("my", { databaseName: "app" }, change, f), "schema_change");
  const named = {
    schema: { type: "struct", name: "io.debezium.connector.mysql.SchemaChangeValue", fields: [] },
    payload: { ddl: "x" },
  };
  assert.equal(skipReason("my", { databaseName: "app" }, named, "envelope"), "schema_change");
});

test("a row that merely has such columns is still a row", () => {
  // A flattened row with a ts_ms column and more is not a heartbeat; one with status/id is not a
  // transaction marker unless its status is BEGIN or END and nothing else is there.
  const d = decodeKafkaRecord(
    record({
      topic: "t",
      offset: "0",
      key: json({ id: 1 }),
      value: json({ id: 1, status: "BEGIN", ts_ms: 1, __lsn: 5 }),
    }),
    { format: "flattened", versionSource: "auto", epoch: 0 },
  );
  assert.equal(d.kind, "change");
});
