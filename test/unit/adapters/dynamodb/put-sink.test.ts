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

test("a row the item builder cannot handle is poison for that record, never a crash", async () => {
  let sent = 0;
  const client = { send: () => Promise.resolve(void sent++) } as unknown as DynamoDBClient;
  const sink = new DynamoDbSink(client, options);
  const event: ChangeEvent = {
    op: "c",
    source: "pg.app.public.t",
    id: "[1]",
    keyColumns: [{ name: "id", value: 1 }],
    version: "pg:0000:00000000000000000001:1:00000000000000000001",
    versionScheme: "pg:",
    row: { id: 1, doc: deeplyNested(20_000) },
  };
  await assert.rejects(sink.write(event, { topic: "t", partition: 0, offset: "0" }), PoisonError);
  assert.equal(sent, 0, "nothing reached the store");
});
