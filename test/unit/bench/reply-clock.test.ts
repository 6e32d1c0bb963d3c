// The benchmark's reply clock (bench/reply-clock.ts) notes when a store's successful reply to a
// write came back, per item key, through a keep-alive connection as the SDK's agent uses it; the
// --only focus of bench/main.ts (bench/focus.ts) and the median of repeated latency runs.

import assert from "node:assert/strict";
import { createServer, Agent, request } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { itemKeys, startReplyClock } from "../../../bench/reply-clock.ts";
import { focus, medianRun } from "../../../bench/focus.ts";
import type { LatencyResult } from "../../../bench/latency.ts";

test("itemKeys reads every item key of a put or a transaction, escapes included", () => {
  const put = JSON.stringify({ Item: { pk: { S: 'pg.public.t/1"x' }, bio: { S: "pk" } }, TableName: "t" });
  assert.deepEqual(itemKeys(put, "pk"), ['pg.public.t/1"x']);
  const transact = JSON.stringify({
    TransactItems: [{ Put: { Item: { pk: { S: "a" } } } }, { Put: { Item: { pk: { S: "b" } } } }],
  });
  assert.deepEqual(itemKeys(transact, "pk"), ["a", "b"]);
  assert.deepEqual(itemKeys(transact, "id"), []);
});

test("the reply clock notes a 2xx reply per key, not a refused one, over one keep-alive socket", async () => {
  let replyAt = 0;
  const store = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const refused = body.includes('"refused"');
      // The reply is held a little, so a clock that stamped the request would be early.
      setTimeout(() => {
        replyAt = Date.now();
        res.writeHead(refused ? 400 : 200, { "content-type": "application/x-amz-json-1.0" });
        res.end("{}");
      }, 30);
    });
  });
  await new Promise<void>((r) => store.listen(0, "127.0.0.1", r));
  const clock = await startReplyClock(`http://127.0.0.1:${(store.address() as AddressInfo).port}`);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const send = (key: string): Promise<{ sentAt: number; status: number }> =>
    new Promise((resolve, reject) => {
      const sentAt = Date.now();
      const req = request(`${clock.endpoint}/`, { method: "POST", agent }, (res) => {
        res.resume();
        res.on("end", () => resolve({ sentAt, status: res.statusCode! }));
      });
      req.on("error", reject);
      req.end(JSON.stringify({ Item: { pk: { S: key } } }));
    });
  try {
    const first = await send("ok-1");
    const firstReply = replyAt;
    assert.equal(first.status, 200);
    assert.equal((await send("refused")).status, 400);
    assert.equal((await send("ok-2")).status, 200);
    assert.deepEqual([...clock.durableAt.keys()].sort(), ["ok-1", "ok-2"]);
    assert.ok(clock.durableAt.get("ok-1")! >= firstReply, "stamped at the reply, not at the request");
    assert.ok(clock.durableAt.get("ok-1")! - first.sentAt >= 25);
  } finally {
    agent.destroy();
    await clock.close();
    await new Promise((r) => store.close(r));
  }
});

test("--only names goals; an unknown or empty one is refused", () => {
  const g = focus("g5, G7");
  assert.equal(g.wants("G5"), true);
  assert.equal(g.wants("G7"), true);
  assert.equal(g.wants("G1"), false);
  assert.equal(focus(undefined).wants("G2"), true);
  assert.throws(() => focus("G5,G42"), /G42/);
  assert.throws(() => focus(","), /--only/);
});

test("repeated latency runs: the median p99's run, with every run's figures", () => {
  const run = (p99Ms: number): LatencyResult => ({
    rate: 100,
    records: 10,
    p50Ms: p99Ms / 10,
    p99Ms,
    sentP50Ms: 1,
    sentP99Ms: 2,
    ackedP99Ms: 1,
    commitLagP50Ms: 3,
    commitLagP99Ms: p99Ms + 1,
    unseen: 0,
    warmupSeconds: 5,
    warmupP99Ms: 500,
  });
  const m = medianRun([run(90), run(30), run(50)]);
  assert.equal(m.p99Ms, 50);
  assert.equal(m.commitLagP99Ms, 51);
  assert.deepEqual(
    m.runs?.map((r) => r.p99Ms),
    [90, 30, 50],
  );
  assert.equal(medianRun([run(30), run(90)]).p99Ms, 90, "of two, the worse");
  assert.ok(Number.isNaN(medianRun([]).p99Ms));
});
