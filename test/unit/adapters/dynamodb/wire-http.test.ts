// The direct write path's connections (adapters/dynamodb/wire-http.ts) against real loopback
// servers: kept alive and reused, never more than maxSockets, dropped when the server ends them,
// timed out when the server goes silent, closed with the client, and TLS checked against the host.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo, Socket } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createDynamoClient } from "../../../../src/adapters/dynamodb/client.ts";
import { attachWire, sendPut, type WireTransport } from "../../../../src/adapters/dynamodb/wire.ts";

const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };
const PUT = { TableName: "t", Item: { pk: { S: "k" } } };

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
type Served = { endpoint: string; sockets: Set<Socket>; open: () => number; server: Server };
const servers: Server[] = [];

async function serve(handler: Handler, tune?: (s: Server) => void): Promise<Served> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => handler(req, res));
  });
  tune?.(server);
  servers.push(server);
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { endpoint, sockets, server, open: () => [...sockets].filter((s) => !s.destroyed).length };
}
const ok: Handler = (_req, res) => res.writeHead(200, { "x-amzn-requestid": "r" }).end("{}");

function wireClient(endpoint: string, t: Partial<WireTransport> = {}): DynamoDBClient {
  const client = new DynamoDBClient({
    region: "eu-west-1",
    endpoint,
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
  attachWire(client, {
    maxSockets: 4,
    connectionTimeoutMs: 2000,
    socketTimeoutMs: 300_000,
    keepAliveMsecs: 1000,
    ...t,
  });
  return client;
}

/** Polls `cond` every 10 ms for up to 5 s. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

test("one keep-alive socket serves many writes, and nothing piles up on it", async () => {
  const s = await serve(ok);
  const client = createDynamoClient({
    region: "eu-west-1",
    endpoint: s.endpoint,
    requestTimeoutMs: 2000,
    maxSockets: 1,
    credentials: CREDENTIALS,
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
    assert.equal(s.sockets.size, 1, "one socket, kept alive");
    assert.deepEqual(warnings, [], "no MaxListenersExceeded or other warning");
  } finally {
    process.off("warning", onWarning);
    client.destroy();
  }
});

test("writes beyond maxSockets wait for a connection; all complete, in no more connections", async () => {
  let inFlight = 0;
  let most = 0;
  const s = await serve((_req, res) => {
    most = Math.max(most, ++inFlight);
    setTimeout(() => {
      inFlight--;
      ok(_req, res);
    }, 5);
  });
  const client = wireClient(s.endpoint, { maxSockets: 3 });
  try {
    const replies = await Promise.all(Array.from({ length: 40 }, () => sendPut(client, PUT)));
    assert.equal(replies.length, 40);
    assert.equal(s.sockets.size, 3);
    assert.equal(most, 3);
  } finally {
    client.destroy();
  }
});

test("a socket the server closed while idle is dropped; the next write opens another", async () => {
  const s = await serve(ok, (server) => (server.keepAliveTimeout = 50));
  const client = wireClient(s.endpoint, { maxSockets: 1 });
  try {
    await sendPut(client, PUT);
    await until(() => s.open() === 0, "the server closed the idle socket");
    // Server and client share this process: `until` runs in the timers phase, and the client reads
    // the server's FIN (its socket's 'end') only in the next poll phase. An immediate runs after
    // that phase, so the client has seen the close before the next write picks a connection.
    // Without it the write could take the socket before its 'end' and fail with a hang-up (4 runs
    // in 12 on a busy machine), which the engine would retry as transient but this test need not.
    await new Promise((r) => setImmediate(r));
    const reply = await sendPut(client, PUT);
    assert.equal(reply.$metadata.httpStatusCode, 200);
    assert.equal(s.sockets.size, 2);
  } finally {
    client.destroy();
  }
});

test("answers with Connection: close are not reused, and each write still completes", async () => {
  const s = await serve((_req, res) => res.writeHead(200, { connection: "close" }).end("{}"));
  const client = wireClient(s.endpoint, { maxSockets: 2 });
  try {
    await Promise.all(Array.from({ length: 6 }, () => sendPut(client, PUT)));
    assert.equal(s.sockets.size, 6);
  } finally {
    client.destroy();
  }
});

test("a server that goes silent: the write fails as a TimeoutError after the socket timeout", async () => {
  const s = await serve(() => undefined);
  const client = wireClient(s.endpoint, { socketTimeoutMs: 200 });
  try {
    await assert.rejects(sendPut(client, PUT), { name: "TimeoutError", message: /timed out after 200 ms/ });
    await until(() => s.open() === 0, "the silent socket is closed");
  } finally {
    client.destroy();
  }
});

test("nothing listening: the connection's error, not a timeout", async () => {
  const s = await serve(ok);
  await new Promise<void>((r) => s.server.close(() => r()));
  const client = wireClient(s.endpoint);
  try {
    await assert.rejects(sendPut(client, PUT), { code: "ECONNREFUSED" });
  } finally {
    client.destroy();
  }
});

test("destroying the client closes the direct path's sockets and fails what is in flight", async () => {
  const s = await serve(() => undefined);
  const client = wireClient(s.endpoint);
  const pending = sendPut(client, PUT);
  await until(() => s.open() === 1, "the write's socket is open");
  client.destroy();
  await assert.rejects(pending, { name: "TimeoutError" });
  await until(() => s.open() === 0, "the server sees the socket closed");
});

test("idle keep-alive sockets do not keep the process alive", () => {
  const script = `
    import { createServer } from "node:http";
    import { createDynamoClient } from ${JSON.stringify(join(import.meta.dirname, "../../../../src/adapters/dynamodb/client.ts"))};
    import { sendPut } from ${JSON.stringify(join(import.meta.dirname, "../../../../src/adapters/dynamodb/wire.ts"))};
    // The server's side holds nothing either: no keep-alive timeout to end the connection, its sockets unref'd.
    const server = createServer({ keepAliveTimeout: 0 }, (q, r) => q.resume().on("end", () => r.end("{}")));
    server.on("connection", (s) => s.unref());
    server.listen(0, "127.0.0.1", async () => {
      const client = createDynamoClient({ region: "eu-west-1", endpoint: "http://127.0.0.1:" + server.address().port,
        requestTimeoutMs: 2000, maxSockets: 2, credentials: { accessKeyId: "a", secretAccessKey: "b" } });
      await sendPut(client, { TableName: "t", Item: { pk: { S: "k" } } });
      server.unref();
      console.log("written");
    });`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    timeout: 15_000,
    encoding: "utf8",
  });
  assert.equal(r.error, undefined, "the process ended by itself");
  assert.equal(r.stdout.trim(), "written", r.stderr);
  assert.equal(r.status, 0, r.stderr);
});

let tlsDir = "";
before(() => {
  tlsDir = mkdtempSync(join(tmpdir(), "wire-tls-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-sha256",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost",
      "-keyout",
      join(tlsDir, "key.pem"),
      "-out",
      join(tlsDir, "cert.pem"),
    ],
    { stdio: "ignore" },
  );
});

test("https: the certificate is checked against the endpoint's host name", async () => {
  const cert = readFileSync(join(tlsDir, "cert.pem"));
  const server = createHttpsServer({ cert, key: readFileSync(join(tlsDir, "key.pem")) }, (req, res) => {
    req.resume();
    req.on("end", () => ok(req, res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const trusted = wireClient(`https://localhost:${port}`, { tls: { ca: cert } });
  const otherName = wireClient(`https://127.0.0.1:${port}`, { tls: { ca: cert } });
  const untrusted = wireClient(`https://localhost:${port}`);
  try {
    assert.equal((await sendPut(trusted, PUT)).$metadata.requestId, "r");
    await assert.rejects(sendPut(otherName, PUT), { code: "ERR_TLS_CERT_ALTNAME_INVALID" });
    await assert.rejects(sendPut(untrusted, PUT), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" });
  } finally {
    for (const c of [trusted, otherName, untrusted]) c.destroy();
  }
});
