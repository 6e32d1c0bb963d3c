// The transactions of hard deletes (docs/mapping.md#hard-deletes) on the direct write path: a delete
// is Delete row + Put tombstone, an upsert Put row + ConditionCheck tombstone (core/hard-delete.ts),
// and WRITE_MODE=transact batches them through sendTransact. The same body must reach the store as
// through the SDK's `send` (keys with binary as base64, only the shapes' members), and a cancelled
// one must come back as the same error with the same reasons (wire.test.ts does the Put-only ones).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type DynamoDBClient,
  type TransactWriteItemsCommandInput,
} from "@aws-sdk/client-dynamodb";
import { createDynamoClient } from "../../../../src/adapters/dynamodb/client.ts";
import { sendTransact } from "../../../../src/adapters/dynamodb/wire.ts";
import { classifyAwsError } from "../../../../src/adapters/dynamodb/errors.ts";

let answer = { status: 200, body: "{}" };
const bodies: string[] = [];
let server: Server;
let endpoint = "";

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(answer.status, { "content-type": "application/x-amz-json-1.0" });
      res.end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

function client(writeClient: "sdk" | "direct"): DynamoDBClient {
  return createDynamoClient({
    region: "eu-west-1",
    endpoint,
    requestTimeoutMs: 2000,
    maxSockets: 2,
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    writeClient,
  });
}

const KEY = { id: { N: "7" }, bin: { B: new Uint8Array([0, 255]) } };
const GUARD = {
  ConditionExpression: "attribute_not_exists(#v) OR #v < :v",
  ExpressionAttributeNames: { "#v": "_cdc_version" },
  ExpressionAttributeValues: { ":v": { S: "lsn:00000000000000000042" } },
  ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const,
};
const TOMBSTONE = { ...KEY, _cdc_version: { S: "lsn:00000000000000000042" } };
const DELETE: TransactWriteItemsCommandInput = {
  TransactItems: [
    { Delete: { TableName: "rows", Key: KEY, ...GUARD } },
    { Put: { TableName: "rows-cdc-tombstones", Item: TOMBSTONE, ...GUARD } },
  ],
  ReturnConsumedCapacity: "TOTAL",
};
const UPSERT: TransactWriteItemsCommandInput = {
  TransactItems: [
    { Put: { TableName: "rows", Item: { ...KEY, name: { S: "n" } }, ...GUARD } },
    { ConditionCheck: { TableName: "rows-cdc-tombstones", Key: KEY, ...GUARD } },
  ],
  ReturnConsumedCapacity: "TOTAL",
};

/** Both paths' bodies (their own idempotency tokens blanked) and outcomes for one input. */
async function both(input: TransactWriteItemsCommandInput) {
  bodies.length = 0;
  const sdk = client("sdk");
  const direct = client("direct");
  const settle = (p: Promise<unknown>) =>
    p.then(
      () => ({ ok: true as const, error: undefined }),
      (error: unknown) => ({ ok: false as const, error }),
    );
  const viaSdk = await settle(sdk.send(new TransactWriteItemsCommand(input)));
  const viaDirect = await settle(sendTransact(direct, input));
  sdk.destroy();
  direct.destroy();
  const parsed = bodies.map((b) => ({ ...(JSON.parse(b) as object), ClientRequestToken: "" }));
  return { viaSdk, viaDirect, parsed };
}

for (const [what, input] of [
  ["a hard delete (Delete row + Put tombstone)", DELETE],
  ["an upsert under hard deletes (Put row + ConditionCheck tombstone)", UPSERT],
] as const) {
  test(`${what}: the same body reaches the store on both paths`, async () => {
    answer = { status: 200, body: "{}" };
    const r = await both(input);
    assert.ok(r.viaDirect.ok, `direct: ${String(r.viaDirect.error)}`);
    assert.ok(r.viaSdk.ok);
    assert.equal(r.parsed.length, 2);
    assert.deepEqual(r.parsed[1], r.parsed[0]);
  });
}

test("a cancelled hard delete: the same error, reasons and old item on both paths", async () => {
  answer = {
    status: 400,
    body: JSON.stringify({
      __type: "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
      message: "Transaction cancelled, please refer cancellation reasons for specific reasons",
      CancellationReasons: [
        {
          Code: "ConditionalCheckFailed",
          Message: "The conditional request failed",
          Item: { id: { N: "7" }, bin: { B: "AP8=" }, _cdc_version: { S: "lsn:00000000000000000050" } },
        },
        { Code: "None" },
      ],
    }),
  };
  const r = await both(DELETE);
  assert.ok(!r.viaSdk.ok && !r.viaDirect.ok);
  assert.ok(r.viaDirect.error instanceof TransactionCanceledException, String(r.viaDirect.error));
  assert.deepEqual(
    r.viaDirect.error.CancellationReasons,
    (r.viaSdk.error as TransactionCanceledException).CancellationReasons,
  );
  assert.equal(classifyAwsError(r.viaDirect.error, "t").code, classifyAwsError(r.viaSdk.error, "t").code);
});

test("an Update action (never built by the sink) is refused before anything is sent", async () => {
  bodies.length = 0;
  const direct = client("direct");
  const update = {
    TransactItems: [{ Update: { TableName: "rows", Key: KEY, UpdateExpression: "SET a = :a" } }],
  };
  await assert.rejects(sendTransact(direct, update), TypeError);
  direct.destroy();
  assert.equal(bodies.length, 0);
});
