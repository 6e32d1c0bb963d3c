// WRITE_MODE: which sink a table gets. `auto` must never send transactions (2 WCU per item) to
// real DynamoDB; it recognises DynamoDB Local by the ARN it gives every table.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { decodeRecord } from "../../../../src/core/decode.ts";
import type { ChangeEvent } from "../../../../src/core/types.ts";
import { TransientError } from "../../../../src/core/errors.ts";
import { createDynamoClient } from "../../../../src/adapters/dynamodb/client.ts";
import {
  createSink,
  isDynamoDbLocalArn,
  type WriteMode,
} from "../../../../src/adapters/dynamodb/write-mode.ts";
import { pgRecord } from "../../../support/debezium-records.ts";
import { createTable } from "../../../support/dynamo.ts";
import { uniqueName } from "../../../support/names.ts";
import { stackEndpoints } from "../../../support/stack.ts";

const batch = { maxItems: 50, windowMs: 0 };
const options = (table: string) =>
  ({
    table,
    keyAttribute: "pk",
    ttlAttribute: "_cdc_expires_at",
    tombstoneTtlSeconds: 0,
    compression: "none",
  }) as const;
const record = pgRecord({ op: "c", id: 1, lsn: 100, row: { name: "a" } }, 100);
const event = (decodeRecord(record, { versionSource: "auto", epoch: 0 }) as { event: ChangeEvent }).event;

test("DynamoDB Local's table ARNs are told from AWS ones", () => {
  assert.equal(isDynamoDbLocalArn("arn:aws:dynamodb:ddblocal:000000000000:table/t"), true);
  assert.equal(isDynamoDbLocalArn("arn:aws:dynamodb:eu-west-1:123456789012:table/t"), false);
  assert.equal(isDynamoDbLocalArn("arn:aws-cn:dynamodb:cn-north-1:123456789012:table/ddblocal"), false);
  assert.equal(isDynamoDbLocalArn(undefined), false);
});

/** A client that answers DescribeTable with `arn` (or fails) and records the operations it is sent. */
function fake(arn: () => string): { client: DynamoDBClient; sent: string[] } {
  const sent: string[] = [];
  const client = {
    send(command: { constructor: { name: string } }) {
      sent.push(command.constructor.name);
      if (command.constructor.name === "DescribeTableCommand")
        return Promise.resolve().then(() => ({ Table: { TableArn: arn() } }));
      return Promise.resolve({});
    },
  };
  return { client: client as unknown as DynamoDBClient, sent };
}

test("auto uses single conditional PutItems on real DynamoDB, and asks the table only once", async () => {
  const { client, sent } = fake(() => "arn:aws:dynamodb:us-east-1:123456789012:table/t");
  const chosen: string[] = [];
  const sink = createSink(client, options("t"), { mode: "auto", batch }, {}, (_t, mode) => chosen.push(mode));
  assert.equal(await sink.write(event, record), "applied");
  assert.equal(await sink.write(event, record), "applied");
  assert.deepEqual(sent, ["DescribeTableCommand", "PutItemCommand", "PutItemCommand"]);
  assert.deepEqual(chosen, ["put"]);
});

test("explicit modes are obeyed whatever the endpoint", async () => {
  for (const [mode, command] of [
    ["put", "PutItemCommand"],
    ["transact", "TransactWriteItemsCommand"],
  ] as [WriteMode, string][]) {
    const { client, sent } = fake(() => "arn:aws:dynamodb:ddblocal:000000000000:table/t");
    assert.equal(await createSink(client, options("t"), { mode, batch }).write(event, record), "applied");
    assert.deepEqual(sent, [command], mode);
  }
});

test("a failed look-up is transient and is asked again on the next write", async () => {
  let calls = 0;
  const { client, sent } = fake(() => {
    if (++calls === 1) throw Object.assign(new Error("down"), { name: "ServiceUnavailable" });
    return "arn:aws:dynamodb:us-east-1:123456789012:table/t";
  });
  const sink = createSink(client, options("t"), { mode: "auto", batch });
  await assert.rejects(sink.write(event, record), TransientError);
  assert.equal(await sink.write(event, record), "applied");
  assert.deepEqual(sent, ["DescribeTableCommand", "DescribeTableCommand", "PutItemCommand"]);
});

test("auto sends TransactWriteItems to DynamoDB Local", async () => {
  const endpoints = stackEndpoints();
  const table = uniqueName("mode");
  await createTable(endpoints.dynamodbEndpoint, table);
  const client = createDynamoClient({
    region: "us-east-1",
    endpoint: endpoints.dynamodbEndpoint,
    requestTimeoutMs: 5000,
    maxSockets: 4,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    const chosen: string[] = [];
    const sink = createSink(client, options(table), { mode: "auto", batch }, {}, (_t, mode) =>
      chosen.push(mode),
    );
    assert.deepEqual(await Promise.all([sink.write(event, record), sink.write(event, record)]), [
      "applied",
      "duplicate",
    ]);
    assert.deepEqual(chosen, ["transact"]);
  } finally {
    client.destroy();
  }
});
