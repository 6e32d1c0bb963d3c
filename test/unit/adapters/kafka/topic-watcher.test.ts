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

test("the watcher reports each new matching topic once and keeps watching after a failed listing", async () => {
  let topics = ["pg.a", "x"];
  let fail = false;
  let closed = false;
  const seen: string[][] = [];
  const watcher = watchTopics(
    {
      list: () => (fail ? Promise.reject(new Error("broker down")) : Promise.resolve([...topics])),
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
  await waitFor(() => seen.length === 1, { timeoutMs: 2000 });
  fail = true;
  await new Promise((r) => setTimeout(r, 40));
  topics = [...topics, "pg.c"];
  fail = false;
  await waitFor(() => seen.length === 2, { timeoutMs: 2000 });
  await new Promise((r) => setTimeout(r, 40));
  await watcher.stop();
  assert.deepEqual(seen, [["pg.b"], ["pg.c"]]);
  assert.ok(closed);
});

test("stop waits for a resubscription in progress", async () => {
  let done = false;
  const watcher = watchTopics(
    { list: () => Promise.resolve(["pg.new"]), close: () => Promise.resolve() },
    {
      pattern: /^pg\./,
      intervalMs: 5,
      known: new Set(),
      onNew: () => new Promise((r) => setTimeout(() => r(void (done = true)), 100)),
      log,
    },
  );
  await new Promise((r) => setTimeout(r, 30));
  await watcher.stop();
  assert.ok(done);
});
