// A ValidationException asks the table again (adapters/dynamodb/key-schema-watch.ts): a key schema
// that changed is the start-up check's fatal error, otherwise the record stays poison. One
// DescribeTable however many writes failed at once.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { FatalError, PoisonError } from "../../../../src/core/errors.ts";
import { watchKeySchema } from "../../../../src/adapters/dynamodb/key-schema-watch.ts";
import type { Sink } from "../../../../src/engine/ports.ts";
import { record } from "../../../support/debezium-records.ts";
import type { ChangeEvent } from "../../../../src/core/types.ts";

function table(key: string): { client: DynamoDBClient; describes: () => number } {
  let n = 0;
  const client = {
    send() {
      n++;
      return Promise.resolve({
        Table: {
          TableStatus: "ACTIVE",
          KeySchema: [{ AttributeName: key, KeyType: "HASH" }],
          AttributeDefinitions: [{ AttributeName: key, AttributeType: "S" }],
        },
      });
    },
  } as unknown as DynamoDBClient;
  return { client, describes: () => n };
}

const invalid: Sink = {
  write: () =>
    Promise.reject(new PoisonError("dynamodb_ValidationException", "Missing the key id in the item")),
  estimateUnits: () => 4,
};
const event = {} as ChangeEvent;
const at = record({ offset: "1" });

test("a changed key schema turns the refusals into key_schema_mismatch, with one DescribeTable", async () => {
  const { client, describes } = table("id");
  const sink = watchKeySchema(invalid, client, "orders", "pk");
  const results = await Promise.allSettled([
    sink.write(event, at),
    sink.write(event, at),
    sink.write(event, at),
  ]);
  for (const r of results) {
    assert.equal(r.status, "rejected");
    const err = r.reason as FatalError;
    assert.ok(err instanceof FatalError);
    assert.equal(err.code, "key_schema_mismatch");
    assert.match(
      err.message,
      /table orders does not match the configuration: partition key is id, expected pk/,
    );
  }
  assert.equal(describes(), 1);
  assert.equal(sink.estimateUnits?.(event, at), 4);
});

test("with the key schema unchanged the record stays poison; other errors are not looked at", async () => {
  const { client, describes } = table("pk");
  await assert.rejects(watchKeySchema(invalid, client, "orders", "pk").write(event, at), (err: unknown) => {
    assert.ok(err instanceof PoisonError);
    assert.equal(err.code, "dynamodb_ValidationException");
    return true;
  });
  assert.equal(describes(), 1);
  const other: Sink = { write: () => Promise.reject(new PoisonError("item_too_large", "big")) };
  await assert.rejects(watchKeySchema(other, client, "orders", "pk").write(event, at), PoisonError);
  assert.equal(describes(), 1);
});

test("a truncate and the estimate pass through to the sink (TRUNCATE_POLICY=apply needs the sink's truncate)", async () => {
  const { client } = table("pk");
  const calls: string[] = [];
  const inner: Sink = {
    write: () => Promise.resolve("applied"),
    truncate: () => {
      calls.push("truncate");
      return Promise.resolve({ scanned: 0, tombstoned: 0 } as never);
    },
  };
  const sink = watchKeySchema(inner, client, "orders", "pk");
  assert.ok(!("estimateUnits" in sink));
  await sink.truncate?.({} as never, at);
  assert.deepEqual(calls, ["truncate"]);
});
