import assert from "node:assert/strict";
import { test } from "node:test";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PoisonError } from "../../../../src/core/errors.ts";
import type { ChangeEvent, RowValue } from "../../../../src/core/types.ts";
import { DynamoDbSink } from "../../../../src/adapters/dynamodb/put-sink.ts";

const options = {
  table: "t",
  keyAttribute: "pk",
  ttlAttribute: "_cdc_expires_at",
  tombstoneTtlSeconds: 0,
  compression: "none" as const,
};

function deeplyNested(depth: number): RowValue {
  let v: RowValue = "leaf";
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** Row 1 of pg.app.public.t, created. */
function change(row: ChangeEvent["row"]): ChangeEvent {
  return {
    op: "c",
    source: "pg.app.public.t",
    id: "[1]",
    keyColumns: [{ name: "id", value: 1 }],
    version: "pg:0000:00000000000000000001:1:00000000000000000001",
    versionScheme: "pg:",
    row,
  };
}

test("a row the item builder cannot handle is poison for that record, never a crash", async () => {
  let sent = 0;
  const client = { send: () => Promise.resolve(void sent++) } as unknown as DynamoDBClient;
  const sink = new DynamoDbSink(client, options);
  const event = change({ id: 1, doc: deeplyNested(20_000) });
  await assert.rejects(sink.write(event, { topic: "t", partition: 0, offset: "0" }), PoisonError);
  assert.equal(sent, 0, "nothing reached the store");
});

test("the store's errors and the beforeSend hook's are classified; a refusal is read from the old item", async () => {
  const event = change({ id: 1 });
  const at = { topic: "t", partition: 0, offset: "0" };
  const failing = (err: object) =>
    ({ send: () => Promise.reject(Object.assign(new Error("no"), err)) }) as unknown as DynamoDBClient;
  await assert.rejects(new DynamoDbSink(failing({ name: "ThrottlingException" }), options).write(event, at), {
    name: "TransientError",
    code: "dynamodb_ThrottlingException",
  });
  const old = { _cdc_version: { S: event.version } };
  const refusing = failing({ name: "ConditionalCheckFailedException", Item: old });
  assert.equal(await new DynamoDbSink(refusing, options).write(event, at), "duplicate");
  const hooked = new DynamoDbSink(refusing, options, {
    beforeSend: () => {
      throw Object.assign(new Error("injected"), { name: "ProvisionedThroughputExceededException" });
    },
  });
  await assert.rejects(hooked.write(event, at), {
    name: "TransientError",
    code: "dynamodb_ProvisionedThroughputExceededException",
  });
});
