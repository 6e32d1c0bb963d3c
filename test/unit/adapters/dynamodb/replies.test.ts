// Answers that are not DynamoDB's JSON, as a proxy or load balancer in front of the store gives them
// (an HTML 502, a plain-text 503 or 429, a 403 page) or as a connection cut mid-body leaves them (a
// 200 whose JSON stops short), sent by an in-process server to every call the sink makes: through
// the SDK's `send` (DescribeTable, DescribeTimeToLive, GetItem, Scan, PutItem, TransactWriteItems)
// and through the direct write path (PutItem, TransactWriteItems). The SDK's deserializer throws a
// SyntaxError for them; whichever path, each is classified by its HTTP status, never taken for a
// programming error of ours (docs/semantics.md#errors).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { createDynamoClient } from "../../../../src/adapters/dynamodb/client.ts";
import { sendPut, sendTransact } from "../../../../src/adapters/dynamodb/wire.ts";
import { classifyAwsError } from "../../../../src/adapters/dynamodb/errors.ts";
import { ClassifiedError, FatalError, TransientError } from "../../../../src/core/errors.ts";

type Answer = { status: number; contentType: string; body: string };
let answer: Answer = { status: 200, contentType: "application/x-amz-json-1.0", body: "{}" };
let server: Server;
let endpoint = "";

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(answer.status, { "content-type": answer.contentType });
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

const ITEM = { pk: { S: "src:[1]" }, _cdc_version: { S: "lsn:1" } };
const PUT = { TableName: "t", Item: ITEM, ConditionExpression: "attribute_not_exists(pk)" };
const TRANSACT = { TransactItems: [{ Put: PUT }] };

/** Every call the sink sends, on the path it takes. */
const CALLS: Record<string, (c: DynamoDBClient) => Promise<unknown>> = {
  "DescribeTable (SDK)": (c) => c.send(new DescribeTableCommand({ TableName: "t" })),
  "DescribeTimeToLive (SDK)": (c) => c.send(new DescribeTimeToLiveCommand({ TableName: "t" })),
  "GetItem (SDK)": (c) => c.send(new GetItemCommand({ TableName: "t", Key: { pk: ITEM.pk } })),
  "Scan (SDK)": (c) => c.send(new ScanCommand({ TableName: "t" })),
  "PutItem (SDK)": (c) => c.send(new PutItemCommand(PUT)),
  "TransactWriteItems (SDK)": (c) => c.send(new TransactWriteItemsCommand(TRANSACT)),
  "PutItem (direct)": (c) => sendPut(c, PUT),
  "TransactWriteItems (direct)": (c) => sendTransact(c, TRANSACT),
};

const html = (status: number, title: string): Answer => ({
  status,
  contentType: "text/html",
  body: `<html><head><title>${status} ${title}</title></head><body><h1>${title}</h1></body></html>`,
});
const text = (status: number, body: string): Answer => ({ status, contentType: "text/plain", body });

/** What each answer must become: its class and code, whatever the call and the path. */
const CASES: [string, Answer, typeof TransientError | typeof FatalError, string][] = [
  ["an HTML 502 page", html(502, "Bad Gateway"), TransientError, "dynamodb_http_5xx"],
  [
    "a plain-text 503",
    text(503, "upstream connect error or disconnect/reset"),
    TransientError,
    "dynamodb_http_5xx",
  ],
  ["an HTML 504 page", html(504, "Gateway Time-out"), TransientError, "dynamodb_http_5xx"],
  ["a plain-text 429", text(429, "Too Many Requests"), TransientError, "dynamodb_http_429"],
  [
    "a 200 cut short",
    { status: 200, contentType: "application/x-amz-json-1.0", body: '{"Table":{"TableName":"t"' },
    TransientError,
    "dynamodb_unreadable_reply",
  ],
  ["a 200 HTML page", html(200, "Welcome"), TransientError, "dynamodb_unreadable_reply"],
  ["an HTML 403 page", html(403, "Forbidden"), FatalError, "dynamodb_unexpected"],
  ["a plain-text 404", text(404, "Not Found"), FatalError, "dynamodb_unexpected"],
];

function client(): DynamoDBClient {
  return createDynamoClient({
    region: "eu-west-1",
    endpoint,
    requestTimeoutMs: 2000,
    maxSockets: 2,
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  });
}

for (const [what, a, Class, code] of CASES) {
  test(`${what}: ${Class.name} ${code} on every call and path`, async () => {
    answer = a;
    const c = client();
    const wrong: string[] = [];
    try {
      for (const [call, send] of Object.entries(CALLS)) {
        const err = await send(c).then(
          () => assert.fail(`${call}: succeeded`),
          (e: unknown) => e,
        );
        let classified: ClassifiedError;
        try {
          classified = classifyAwsError(err, "orders");
        } catch (thrown) {
          wrong.push(`${call}: taken for a programming error: ${String(thrown).split("\n")[0]}`);
          continue;
        }
        if (!(classified instanceof Class) || classified.code !== code)
          wrong.push(`${call}: ${classified.constructor.name} ${classified.code}`);
        // The status is named; the body (a page, or a table's items) is not copied into the message.
        if (!classified.message.includes(`HTTP ${a.status}`)) wrong.push(`${call}: ${classified.message}`);
        if (/<html|upstream connect|Too Many|Not Found|"Table"/.test(classified.message))
          wrong.push(`${call}: the body in ${classified.message}`);
        assert.equal(classified.cause, err);
      }
      assert.deepEqual(wrong, []);
    } finally {
      c.destroy();
    }
  });
}
