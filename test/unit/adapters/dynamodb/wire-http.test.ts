// The direct write path's HTTP (adapters/dynamodb/wire-http.ts) over the client's keep-alive agent:
// one socket serves write after write, and nothing is left behind on it per request.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createDynamoClient } from "../../../../src/adapters/dynamodb/client.ts";
import { sendPut } from "../../../../src/adapters/dynamodb/wire.ts";

let server: Server;
let endpoint = "";
const sockets = new Set<Socket>();

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "x-amzn-requestid": "r" }).end("{}"));
  });
  server.on("connection", (s: Socket) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

test("one keep-alive socket serves many writes, and nothing piles up on it", async () => {
  const client = createDynamoClient({
    region: "eu-west-1",
    endpoint,
    requestTimeoutMs: 2000,
    maxSockets: 1,
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  });
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on("warning", onWarning);
  try {
    for (let i = 0; i < 50; i++) {
      const reply = await sendPut(client, { TableName: "t", Item: { pk: { S: `k${i}` } } });
      assert.equal(reply.$metadata.requestId, "r");
    }
    // A warning is emitted on the next tick.
    await new Promise((r) => setImmediate(r));
    assert.equal(sockets.size, 1, "one socket, kept alive");
    assert.deepEqual(warnings, [], "no MaxListenersExceeded or other warning");
  } finally {
    process.off("warning", onWarning);
    client.destroy();
  }
});
