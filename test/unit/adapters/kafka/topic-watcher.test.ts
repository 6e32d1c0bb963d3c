// The topic watcher: new topics that match the pattern are reported once, others never; a failing
// listing is retried; stop waits for a resubscription in progress.

import assert from "node:assert/strict";
import { test } from "node:test";
import { newMatches, watchTopics } from "../../../../src/adapters/kafka/topic-watcher.ts";
import { waitFor } from "../../../support/wait.ts";
import { createLog } from "../../../../src/telemetry/log.ts";
import { PassThrough } from "node:stream";

const log = createLog("fatal", new PassThrough());

test("newMatches: matching, not yet known, sorted; a global pattern does not skip topics", () => {
  assert.deepEqual(
    newMatches(["pg.app.b", "pg.app.a", "other", "pg.app.c"], /^pg\.app\./g, new Set(["pg.app.c"])),
    ["pg.app.a", "pg.app.b"],
  );
});

test("each new matching topic is reported once; a failed listing does not stop the watcher", async () => {
  let topics = ["pg.a", "x"];
  let fail = false;
  let listings = 0;
  let failures = 0;
  let closed = false;
  const seen: string[][] = [];
  const watcher = watchTopics(
    {
      list: () => {
        listings++;
        if (!fail) return Promise.resolve([...topics]);
        failures++;
        return Promise.reject(new Error("broker down"));
      },
      close: () => Promise.resolve(void (closed = true)),
    },
    {
      pattern: /^pg\./,
      intervalMs: 10,
      known: new Set(["pg.a", "x"]),
      onNew: (t) => Promise.resolve(void seen.push(t)),
      log,
    },
  );
  topics = [...topics, "pg.b", "y"];
  await waitFor(() => seen.length === 1, { timeoutMs: 2000, message: "pg.b reported" });
  fail = true;
  await waitFor(() => failures >= 2, { timeoutMs: 2000, message: "listings failed" });
  topics = [...topics, "pg.c"];
  fail = false;
  await waitFor(() => seen.length === 2, { timeoutMs: 2000, message: "pg.c reported after the failures" });
  // Several more listings of the same topics: none may report a topic again.
  const after = listings;
  await waitFor(() => listings >= after + 3, { timeoutMs: 2000, message: "more listings" });
  await watcher.stop();
  assert.deepEqual(seen, [["pg.b"], ["pg.c"]]);
  assert.ok(closed);
});

test("stop waits for a resubscription in progress", async () => {
  let started = false;
  let done = false;
  let finish!: () => void;
  const watcher = watchTopics(
    { list: () => Promise.resolve(["pg.new"]), close: () => Promise.resolve() },
    {
      pattern: /^pg\./,
      intervalMs: 5,
      known: new Set(),
      onNew: () => {
        started = true;
        return new Promise<void>((r) => (finish = r)).then(() => void (done = true));
      },
      log,
    },
  );
  await waitFor(() => started, { timeoutMs: 2000, message: "the resubscription started" });
  const stopping = watcher.stop();
  let stopped = false;
  void stopping.then(() => (stopped = true));
  // stop() must still be waiting while the resubscription is unfinished.
  await new Promise((r) => setImmediate(r));
  assert.equal(stopped, false);
  finish();
  await stopping;
  assert.ok(done);
});

test("the DLQ topic is never reported, even when it matches the pattern and is created later", async () => {
  let topics = ["pg.a"];
  let listings = 0;
  const seen: string[][] = [];
  const watcher = watchTopics(
    {
      list: () => {
        listings++;
        return Promise.resolve([...topics]);
      },
      close: () => Promise.resolve(),
    },
    {
      pattern: /^pg\./,
      intervalMs: 5,
      known: new Set(["pg.a"]),
      exclude: new Set(["pg.dlq"]),
      onNew: (t) => Promise.resolve(void seen.push(t)),
      log,
    },
  );
  topics = [...topics, "pg.dlq", "pg.b"];
  await waitFor(() => seen.length === 1, { timeoutMs: 2000, message: "pg.b reported" });
  const after = listings;
  await waitFor(() => listings >= after + 3, { timeoutMs: 2000, message: "more listings" });
  await watcher.stop();
  assert.deepEqual(seen, [["pg.b"]]);
});
