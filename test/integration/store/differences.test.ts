// Where the stack's store, dynoxide (docs/store.md), answers differently from DynamoDB in ways the
// tests can see. Each test pins one difference, so a dynoxide upgrade that changes it shows up here
// first; the workarounds live in test code only (test/support/dynamo.ts), never in the product.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { DescribeStreamCommand, DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { canonical, dynamoClient } from "../../support/dynamo.ts";
import { readStream } from "../../support/stream-evidence.ts";
import { uniqueName } from "../../support/names.ts";
import { stackEndpoints } from "../../support/stack.ts";

let endpoint: string;
let client: DynamoDBClient;
const table = uniqueName("store_diff");

before(async () => {
  endpoint = stackEndpoints().dynamodbEndpoint;
  client = dynamoClient(endpoint);
  await client.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    }),
  );
});

after(async () => {
  await client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  client.destroy();
});

/** The attribute names of an item and of its map `m`, in the order the JSON reply listed them. */
const order = (item: Record<string, AttributeValue> | undefined): string =>
  `${Object.keys(item ?? {}).join(",")} / ${Object.keys(item?.["m"]?.M ?? {}).join(",")}`;

void test("an item's and a map's attributes come back in an order that changes from read to read", async () => {
  // DynamoDB's JSON protocol gives no order for an item's or a map's members (both are JSON objects),
  // so a test must not compare serialised items: dynoxide's order changes with every reply (DynamoDB
  // Local's happened to stay put). Workaround: compare canonical(item), which sorts every map.
  const item = {
    pk: { S: "order" },
    a: { S: "1" },
    b: { S: "2" },
    c: { S: "3" },
    m: { M: { x: { N: "1" }, y: { N: "2" }, z: { N: "3" } } },
  };
  await client.send(new PutItemCommand({ TableName: table, Item: item }));
  const seen = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const got = await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: "order" } } }));
    const scanned = await client.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    seen.add(order(got.Item)).add(order(scanned.Items?.find((i) => i["pk"]?.S === "order")));
    assert.deepEqual(got.Item, item, "the same members, whatever the order");
    assert.equal(JSON.stringify(canonical(got.Item)), JSON.stringify(canonical(item)));
  }
  assert.ok(seen.size > 1, `one order in 40 reads (${[...seen].join(" | ")}): dynoxide now keeps order`);
});

void test("table and stream ARNs name region `dynoxide` and account 000000000000", async () => {
  // So an emulator cannot be told by ARN in general (DynamoDB Local's region is `ddblocal`):
  // WRITE_MODE=auto follows the endpoint instead (src/adapters/dynamodb/write-mode.ts).
  const described = await client.send(new DescribeTableCommand({ TableName: table }));
  assert.equal(described.Table?.TableArn, `arn:aws:dynamodb:dynoxide:000000000000:table/${table}`);
  assert.match(
    described.Table?.LatestStreamArn ?? "",
    new RegExp(`^arn:aws:dynamodb:dynoxide:000000000000:table/${table}/stream/\\S+$`),
  );
});

void test("one database for every region and every access key (DynamoDB keeps them apart)", async () => {
  // On AWS a table lives in one account and region; the stack's tests and demo rely on the
  // opposite (any credentials, one region setting), as they did with DynamoDB Local's -sharedDb.
  for (const [region, key] of [
    ["eu-west-1", "local"],
    ["us-east-1", "someone-else"],
  ]) {
    const other = new DynamoDBClient({
      endpoint,
      region,
      credentials: { accessKeyId: key!, secretAccessKey: key! },
    });
    try {
      const names = (await other.send(new ListTablesCommand({}))).TableNames ?? [];
      assert.ok(names.includes(table), `${region}/${key} sees ${table}`);
    } finally {
      other.destroy();
    }
  }
});

void test("a table's stream is one shard that names an EndingSequenceNumber while it is still open", async () => {
  // DynamoDB splits a stream into shards that close after about four hours, and only a closed shard
  // has an EndingSequenceNumber (DynamoDB Streams API, SequenceNumberRange). dynoxide keeps one shard
  // and reports the last record's number as its end, yet goes on appending to it: a reader must not
  // take that for "closed". test/support/stream-evidence.ts reads until pages come back empty.
  const streams = new DynamoDBStreamsClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    const arn = (await client.send(new DescribeTableCommand({ TableName: table }))).Table?.LatestStreamArn;
    await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "s1" } } }));
    const first = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
    const shards = first.StreamDescription?.Shards ?? [];
    assert.equal(shards.length, 1);
    const end = shards[0]?.SequenceNumberRange?.EndingSequenceNumber;
    assert.ok(end !== undefined, "an open shard with an end");
    await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "s2" } } }));
    const writes = await readStream(client, streams, table);
    const s2 = writes.find((w) => w.key === "s2");
    assert.ok(s2, "the write after the 'end' is in the same shard");
    assert.ok(BigInt(s2.seq) > BigInt(end), `${s2.seq} > ${end}`);
  } finally {
    streams.destroy();
  }
});
