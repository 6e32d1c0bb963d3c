// The direct write path (adapters/dynamodb/wire.ts) against the SDK's own `send`, side by side on the
// same canned HTTP answers from an in-process server: the same request body reaches the server, and
// every answer — a success, a refused condition with its old item, a cancelled transaction, throttling,
// validation, a 5xx page, a dropped connection — comes back as the same value or the same error
// (class, name, fields, and classifyAwsError's class and code). The real store is exercised by the
// integration and fault suites, which run this path by default.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  ConditionalCheckFailedException,
  DynamoDBServiceException,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type DynamoDBClient,
  type PutItemCommandInput,
} from "@aws-sdk/client-dynamodb";
import { createDynamoClient } from "../../../../src/adapters/dynamodb/client.ts";
import { sendPut, sendTransact, wireOf } from "../../../../src/adapters/dynamodb/wire.ts";
import { classifyAwsError } from "../../../../src/adapters/dynamodb/errors.ts";

type Answer = { status: number; body: string; headers?: Record<string, string>; drop?: boolean };
let answer: Answer = { status: 200, body: "{}" };
const seen: { headers: IncomingHttpHeaders; body: string }[] = [];
let server: Server;
let endpoint = "";

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      if (answer.drop === true) return void req.socket.destroy();
      res.writeHead(answer.status, {
        "content-type": "application/x-amz-json-1.0",
        "x-amzn-requestid": "req-1",
        ...answer.headers,
      });
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

function clients(): { sdk: DynamoDBClient; direct: DynamoDBClient } {
  const o = {
    region: "eu-west-1",
    endpoint,
    requestTimeoutMs: 2000,
    maxSockets: 4,
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  };
  return { sdk: createDynamoClient({ ...o, writeClient: "sdk" }), direct: createDynamoClient(o) };
}

const PUT: PutItemCommandInput = {
  TableName: "t",
  Item: {
    pk: { S: "src:[1]" },
    n: { N: "1.50" },
    bin: { B: Buffer.from([0, 1, 254, 255]) },
    nested: { M: { l: { L: [{ B: new Uint8Array([7]) }, { NULL: true }, { BOOL: false }] } } },
    __proto__: { S: "kept" },
  },
  ConditionExpression: "attribute_not_exists(#key)",
  ExpressionAttributeNames: { "#key": "pk" },
  ExpressionAttributeValues: { ":v": { S: "x" } },
  ReturnValuesOnConditionCheckFailure: "ALL_OLD",
  ReturnConsumedCapacity: "TOTAL",
};
Object.defineProperty(PUT.Item, "__proto__", { value: { S: "kept" }, enumerable: true });

/** Both paths' result for one answer: the value (without request-specific metadata) or the error. */
async function both<T>(a: Answer, send: (c: DynamoDBClient, sdk: boolean) => Promise<T>) {
  answer = a;
  const { sdk, direct } = clients();
  const settle = (p: Promise<T>) =>
    p.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
  seen.length = 0;
  const viaSdk = await settle(send(sdk, true));
  const viaDirect = await settle(send(direct, false));
  sdk.destroy();
  direct.destroy();
  return { viaSdk, viaDirect, requests: [...seen] };
}

const put = (c: DynamoDBClient, sdk: boolean) => (sdk ? c.send(new PutItemCommand(PUT)) : sendPut(c, PUT));

function sameError(a: unknown, b: unknown): void {
  const x = a as DynamoDBServiceException;
  const y = b as DynamoDBServiceException;
  assert.equal(Object.getPrototypeOf(y), Object.getPrototypeOf(x), `class of ${x.name}`);
  assert.equal(y.name, x.name);
  assert.equal(y.message, x.message);
  assert.equal(y.$fault, x.$fault);
  assert.deepEqual(y.$retryable, x.$retryable);
  assert.equal(y.$metadata.httpStatusCode, x.$metadata.httpStatusCode);
  assert.equal(y.$metadata.requestId, x.$metadata.requestId);
  const cx = classifyAwsError(a, "t");
  const cy = classifyAwsError(b, "t");
  assert.equal(cy.constructor, cx.constructor);
  assert.equal(cy.code, cx.code);
}

test("a client from createDynamoClient writes directly unless told `sdk`", () => {
  const { sdk, direct } = clients();
  assert.equal(wireOf(sdk), undefined);
  assert.notEqual(wireOf(direct), undefined);
  sdk.destroy();
  direct.destroy();
});

test("the same PutItem body reaches the store (binary as base64, `__proto__` kept), signed", async () => {
  const r = await both(
    { status: 200, body: '{"ConsumedCapacity":{"TableName":"t","CapacityUnits":1}}' },
    put,
  );
  assert.equal(r.requests.length, 2);
  const [s, d] = r.requests as [(typeof r.requests)[0], (typeof r.requests)[0]];
  assert.deepEqual(JSON.parse(d.body), JSON.parse(s.body));
  assert.match(d.body, /"bin":\{"B":"AAH\+\/w=="\}/);
  assert.match(d.body, /"__proto__":\{"S":"kept"\}/);
  for (const h of ["x-amz-target", "content-type", "host"]) assert.equal(d.headers[h], s.headers[h], h);
  const auth =
    /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/;
  const signedBy = (h: IncomingHttpHeaders) => auth.exec(String(h.authorization))?.[1]?.split(";");
  assert.deepEqual(signedBy(d.headers), signedBy(s.headers));
  assert.ok(signedBy(d.headers)?.includes("x-amz-target"));
  assert.ok(r.viaSdk.ok && r.viaDirect.ok);
  const { $metadata: ms, ...restSdk } = r.viaSdk.value;
  const { $metadata: md, ...restDirect } = r.viaDirect.value;
  assert.deepEqual(restDirect, restSdk);
  assert.equal(md.httpStatusCode, 200);
  assert.equal(md.requestId, ms.requestId);
});

test("a refused condition: ConditionalCheckFailedException with the old item, binary as bytes", async () => {
  const body = JSON.stringify({
    __type: "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
    message: "The conditional request failed",
    Item: {
      pk: { S: "src:[1]" },
      _cdc_version: { S: "v1" },
      bin: { B: "AAH+/w==" },
      m: { M: { b: { B: "Bw==" } } },
    },
  });
  const r = await both({ status: 400, body }, put);
  assert.ok(!r.viaSdk.ok && !r.viaDirect.ok);
  assert.ok(r.viaDirect.error instanceof ConditionalCheckFailedException);
  sameError(r.viaSdk.error, r.viaDirect.error);
  assert.deepEqual(r.viaDirect.error.Item, (r.viaSdk.error as ConditionalCheckFailedException).Item);
  assert.ok(r.viaDirect.error.Item!["bin"]!.B instanceof Uint8Array);
});

test("a cancelled transaction: the same reasons, old items included", async () => {
  const body = JSON.stringify({
    __type: "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
    Message:
      "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]",
    CancellationReasons: [
      {
        Code: "ConditionalCheckFailed",
        Message: "The conditional request failed",
        Item: { pk: { S: "a" }, b: { B: "AQ==" } },
      },
      { Code: "None" },
    ],
  });
  const input = { TransactItems: [{ Put: PUT }, { Put: { ...PUT, Item: { pk: { S: "b" } } } }] };
  const r = await both({ status: 400, body }, (c, sdk) =>
    sdk ? c.send(new TransactWriteItemsCommand(input)) : sendTransact(c, input),
  );
  assert.ok(!r.viaSdk.ok && !r.viaDirect.ok);
  assert.ok(r.viaDirect.error instanceof TransactionCanceledException);
  sameError(r.viaSdk.error, r.viaDirect.error);
  assert.deepEqual(
    r.viaDirect.error.CancellationReasons,
    (r.viaSdk.error as TransactionCanceledException).CancellationReasons,
  );
  // Each side fills in its own idempotency token, as the SDK does: a UUID, different per request.
  const [bs, bd] = r.requests.map((q) => JSON.parse(q.body) as { ClientRequestToken?: string });
  assert.match(String(bd!.ClientRequestToken), /^[0-9a-f-]{36}$/);
  assert.deepEqual({ ...bd, ClientRequestToken: "" }, { ...bs, ClientRequestToken: "" });
});

for (const [what, a] of [
  [
    "throttling",
    {
      status: 400,
      body: '{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"slow down"}',
    },
  ],
  [
    "provisioned throughput",
    {
      status: 400,
      body: '{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"x"}',
    },
  ],
  [
    "validation",
    { status: 400, body: '{"__type":"com.amazon.coral.validate#ValidationException","message":"bad item"}' },
  ],
  [
    "a missing table",
    {
      status: 400,
      body: '{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"no table"}',
    },
  ],
  [
    "an error type in the header",
    { status: 400, body: "{}", headers: { "x-amzn-errortype": "AccessDeniedException:http://internal" } },
  ],
  [
    "an unmodelled error",
    {
      status: 400,
      body: '{"__type":"com.amazonaws.dynamodb.v20120810#SomethingNewException","message":"new"}',
    },
  ],
  [
    "a 500 with JSON",
    {
      status: 500,
      body: '{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"oops"}',
    },
  ],
] as [string, Answer][]) {
  test(`${what}: the same error class and the same classification on both paths`, async () => {
    const r = await both(a, put);
    assert.ok(!r.viaSdk.ok && !r.viaDirect.ok);
    sameError(r.viaSdk.error, r.viaDirect.error);
  });
}

test("a 503 page that is not JSON (a proxy's): a transient 5xx on both paths", async () => {
  // The SDK's send throws its deserializer's SyntaxError (the answer hidden in `$response`, the
  // status in `$metadata`); the direct path its generic exception with the status. classifyAwsError
  // reads the status of both: the same transient 5xx (replies.test.ts has every call and status).
  const r = await both(
    { status: 503, body: "<html>Service Unavailable</html>", headers: { "content-type": "text/html" } },
    put,
  );
  assert.ok(!r.viaSdk.ok && !r.viaDirect.ok);
  assert.ok(r.viaSdk.error instanceof SyntaxError);
  const cx = classifyAwsError(r.viaSdk.error, "t");
  const cy = classifyAwsError(r.viaDirect.error, "t");
  for (const c of [cx, cy]) {
    assert.equal(c.errorClass, "transient");
    assert.equal(c.code, "dynamodb_http_5xx");
  }
  assert.equal((r.viaDirect.error as DynamoDBServiceException).$metadata.httpStatusCode, 503);
});

test("a 200 cut short: the same unreadable answer on both paths, status attached", async () => {
  const r = await both({ status: 200, body: '{"ConsumedCapacity":{"Tabl' }, put);
  assert.ok(!r.viaSdk.ok && !r.viaDirect.ok);
  for (const e of [r.viaSdk.error, r.viaDirect.error]) {
    assert.ok(e instanceof SyntaxError);
    assert.equal((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 200);
    assert.ok("$response" in e);
    assert.equal(classifyAwsError(e, "t").code, "dynamodb_unreadable_reply");
  }
});

test("a 200 whose body is `null`: an empty output on both paths, as the SDK reads it", async () => {
  const r = await both({ status: 200, body: "null" }, put);
  assert.ok(r.viaSdk.ok && r.viaDirect.ok);
  assert.deepEqual(Object.keys(r.viaDirect.value), Object.keys(r.viaSdk.value));
});

test("a dropped connection: a network error, transient on both paths", async () => {
  const r = await both({ status: 200, body: "", drop: true }, put);
  assert.ok(!r.viaSdk.ok && !r.viaDirect.ok);
  const cx = classifyAwsError(r.viaSdk.error, "t");
  const cy = classifyAwsError(r.viaDirect.error, "t");
  assert.equal(cy.constructor, cx.constructor);
  assert.equal(cy.code, cx.code);
  assert.equal(cy.errorClass, "transient");
});
