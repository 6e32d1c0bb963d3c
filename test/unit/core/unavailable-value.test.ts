// Debezium's unavailable-value placeholder (an unchanged TOASTed column under REPLICA IDENTITY
// DEFAULT) is refused as poison, never written over the row's value. The shapes are those Debezium
// 3.1 emitted for a text, a jsonb and a bytea column (see test/unit/reconcile/fixtures for the stack run).

import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeKafkaRecord } from "../../../src/core/record.ts";
import { PoisonError } from "../../../src/core/errors.ts";

const source = {
  connector: "postgresql",
  name: "pg",
  db: "app",
  schema: "public",
  table: "t",
  lsn: 100,
  sequence: '["90","100"]',
};

function record(after: Record<string, unknown>, schema?: unknown) {
  const payload = { op: "u", before: null, after, source };
  const value = schema === undefined ? payload : { schema, payload };
  return {
    topic: "t",
    partition: 0,
    offset: "5",
    key: Buffer.from('{"id":1}'),
    value: Buffer.from(JSON.stringify(value)),
    headers: {},
    timestamp: "0",
  };
}

const options = { versionSource: "auto" as const, epoch: 0 };

test("an unchanged TOASTed text, jsonb or bytea column is refused, saying what to do", () => {
  for (const after of [
    { id: 1, big: "__debezium_unavailable_value", n: 1 },
    { id: 1, bin: "X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ==", n: 1 },
    { id: 1, arr: ["__debezium_unavailable_value"], n: 1 },
  ]) {
    assert.throws(
      () => decodeKafkaRecord(record(after), options),
      (err: unknown) =>
        err instanceof PoisonError &&
        err.code === "unavailable_value" &&
        /REPLICA IDENTITY FULL/.test(err.message) &&
        !err.message.includes("__debezium"),
    );
  }
});

test("bytes under the schema wrapper are recognised after conversion", () => {
  const schema = {
    type: "struct",
    fields: [
      {
        field: "after",
        type: "struct",
        fields: [
          { field: "id", type: "int32" },
          { field: "bin", type: "bytes" },
        ],
      },
    ],
  };
  assert.throws(
    () =>
      decodeKafkaRecord(record({ id: 1, bin: "X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ==" }, schema), options),
    /unavailable-value placeholder/,
  );
});

test("ordinary values, and deletes whose before image lacks TOASTed columns, pass", () => {
  assert.equal(decodeKafkaRecord(record({ id: 1, big: "x", arr: [] }), options).kind, "change");
});
