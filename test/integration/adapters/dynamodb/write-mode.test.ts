// WRITE_MODE: which sink a table gets. `auto` must never send transactions (2 WCU per item) to
// real DynamoDB; it follows the endpoint: none (the SDK's own) or an AWS host means DynamoDB, any
// other endpoint a DynamoDB-compatible server that bills nothing per item (dynoxide, DynamoDB Local).

import assert from "node:assert/strict";
import { test } from "node:test";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { decodeKafkaRecord } from "../../../../src/core/record.ts";
import type { ChangeEvent } from "../../../../src/core/types.ts";
import { createDynamoClient } from "../../../../src/adapters/dynamodb/client.ts";
import { createSink, isAwsEndpoint, type WriteMode } from "../../../../src/adapters/dynamodb/write-mode.ts";
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
const event = (decodeKafkaRecord(record, { versionSource: "auto", epoch: 0 }) as { event: ChangeEvent })
  .event;

test("AWS's DynamoDB hosts are told from any other endpoint", () => {
  for (const host of [
    "dynamodb.eu-west-1.amazonaws.com",
    "dynamodb-fips.us-east-1.amazonaws.com",
    "dynamodb.cn-north-1.amazonaws.com.cn",
    "dynamodb.us-east-1.api.aws",
    "vpce-0a1b2c3d-4e5f6a7b.dynamodb.us-east-1.vpce.amazonaws.com",
    "DYNAMODB.US-EAST-1.AMAZONAWS.COM",
  ])
    assert.equal(isAwsEndpoint(host), true, host);
  for (const host of [
    "127.0.0.1",
    "localhost",
    "::1",
    "dynamodb",
    "amazonaws.com.example.org",
    "notamazonaws.com",
  ])
    assert.equal(isAwsEndpoint(host), false, host);
});

/** A client whose endpoint is `hostname` (none: the SDK's own), recording the operations it is sent. */
function fake(hostname: string | undefined): { client: DynamoDBClient; sent: string[] } {
  const sent: string[] = [];
  const client = {
    config: {
      endpoint:
        hostname === undefined
          ? undefined
          : () => Promise.resolve({ protocol: "http:", hostname, port: 8000, path: "/" }),
    },
    send(command: { constructor: { name: string } }) {
      sent.push(command.constructor.name);
      return Promise.resolve({});
    },
  };
  return { client: client as unknown as DynamoDBClient, sent };
}

test("auto uses single conditional PutItems on real DynamoDB, and chooses only once", async () => {
  for (const hostname of [undefined, "dynamodb.us-east-1.amazonaws.com"]) {
    const { client, sent } = fake(hostname);
    const chosen: string[] = [];
    const sink = createSink(client, options("t"), { mode: "auto", batch }, {}, (_t, mode) =>
      chosen.push(mode),
    );
    const outcomes = await Promise.all([sink.write(event, record), sink.write(event, record)]);
    assert.deepEqual(outcomes, ["applied", "applied"]);
    assert.equal(await sink.write(event, record), "applied");
    assert.deepEqual(sent, ["PutItemCommand", "PutItemCommand", "PutItemCommand"], String(hostname));
    assert.deepEqual(chosen, ["put"], String(hostname));
  }
});

test("auto sends TransactWriteItems to any other endpoint, whatever ARN its tables have", async () => {
  for (const hostname of ["127.0.0.1", "dynamodb", "localhost.localstack.cloud"]) {
    const { client, sent } = fake(hostname);
    const chosen: string[] = [];
    const sink = createSink(client, options("t"), { mode: "auto", batch }, {}, (_t, mode) =>
      chosen.push(mode),
    );
    assert.equal(await sink.write(event, record), "applied");
    assert.deepEqual(sent, ["TransactWriteItemsCommand"], hostname);
    assert.deepEqual(chosen, ["transact"], hostname);
  }
});

test("explicit modes are obeyed whatever the endpoint", async () => {
  for (const [mode, command] of [
    ["put", "PutItemCommand"],
    ["transact", "TransactWriteItemsCommand"],
  ] as [WriteMode, string][]) {
    for (const hostname of [undefined, "127.0.0.1"]) {
      const { client, sent } = fake(hostname);
      assert.equal(await createSink(client, options("t"), { mode, batch }).write(event, record), "applied");
      assert.deepEqual(sent, [command], `${mode} ${hostname}`);
    }
  }
});

test("auto sends TransactWriteItems to the stack's store (dynoxide)", async () => {
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
