// The TCP fault proxy against a loopback echo server: each fault does what it says, for as long as
// it says, and the link is normal again afterwards.

import assert from "node:assert/strict";
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";
import { after, before, test } from "node:test";
import { TcpProxy } from "./tcp-proxy.ts";

let echo: Server;
let target: string;

before(async () => {
  // The proxy resets connections on purpose: the echo side just lets them go.
  echo = createServer((s) => s.on("error", () => undefined).pipe(s));
  await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
  target = `127.0.0.1:${(echo.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => echo.close(() => resolve())));

async function client(port: number): Promise<Socket> {
  const s = connect({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => s.once("connect", resolve).once("error", reject));
  return s;
}

/** Sends `text` and resolves with the milliseconds until it came back whole. */
function roundTrip(s: Socket, text: string): Promise<number> {
  const t0 = Date.now();
  let got = "";
  return new Promise((resolve, reject) => {
    const onData = (c: Buffer): void => {
      got += c.toString();
      if (got.length >= text.length) {
        s.off("data", onData);
        assert.equal(got, text);
        resolve(Date.now() - t0);
      }
    };
    s.on("data", onData).once("error", reject);
    s.write(text);
  });
}

void test("tcp-proxy: refuses a target that is not loopback", async () => {
  await assert.rejects(TcpProxy.start("10.1.2.3:9092"), /loopback only/);
  await assert.rejects(TcpProxy.start("example.com:9092"), /loopback only/);
});

void test(
  "tcp-proxy: latency delays each chunk within bounds, keeps order, then ends by " + "itself",
  async () => {
    const proxy = await TcpProxy.start(target);
    const s = await client(proxy.port);
    try {
      assert.ok((await roundTrip(s, "warm")) < 100);
      const ended = proxy.latency(60, 120, 1_500);
      const rtt = await roundTrip(s, "slow");
      // Two chunks (there and back), each 60-120 ms.
      assert.ok(rtt >= 110 && rtt < 600, `round trip ${rtt} ms`);
      const ordered = await roundTrip(s, "a".repeat(10) + "b".repeat(10));
      assert.ok(ordered >= 110);
      await ended;
      assert.equal(proxy.mode.kind, "normal");
      assert.ok((await roundTrip(s, "fast")) < 100);
      assert.ok(proxy.stats.delayedChunks >= 4 && proxy.stats.maxDelayMs <= 120);
    } finally {
      s.destroy();
      await proxy.close();
    }
  },
);

void test(
  "tcp-proxy: a black hole holds traffic, new connections included, and releases it after the " + "period",
  async () => {
    const proxy = await TcpProxy.start(target);
    const s = await client(proxy.port);
    try {
      const ended = proxy.blackhole(800);
      const late = await client(proxy.port); // accepted, but nothing moves
      const [a, b] = await Promise.all([roundTrip(s, "held"), roundTrip(late, "held too")]);
      assert.ok(a >= 700 && b >= 600, `released after ${a} and ${b} ms`);
      await ended;
      assert.equal(proxy.stats.stalledConnections, 2);
      late.destroy();
    } finally {
      s.destroy();
      await proxy.close();
    }
  },
);

void test("tcp-proxy: resets send RST to open connections; new ones work between resets", async () => {
  const proxy = await TcpProxy.start(target);
  const s = await client(proxy.port);
  const error = new Promise<string>((resolve) =>
    s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "")),
  );
  try {
    const ended = proxy.resets(400, 1_000);
    assert.equal(await error, "ECONNRESET");
    const again = await client(proxy.port);
    assert.ok((await roundTrip(again, "between resets")) < 200);
    await ended;
    assert.ok(proxy.stats.resets >= 2, `resets ${proxy.stats.resets}`);
    const after = await client(proxy.port);
    await new Promise((r) => setTimeout(r, 500));
    assert.ok((await roundTrip(after, "normal again")) < 100);
    after.destroy();
    again.destroy();
  } finally {
    await proxy.close();
  }
});
