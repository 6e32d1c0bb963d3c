// The Flink peer's bookkeeping in the benchmark (bench/peers/): how its progress lines become records
// done, how the replay demonstration judges a table against the stream, and that the jar's cache
// folder follows its sources.

import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { doneFromProgress, sourceHash } from "../../../bench/peers/flink.ts";
import { itemState, lastWins, newest, verdict, withReplay } from "../../../bench/peers/replay.ts";
import { changeStream, produceStream } from "../../../bench/workload.ts";

test("a progress line counts acknowledged writes plus the records that needed none", () => {
  // 100 read, 97 became writes (3 tombstones), 90 acknowledged: 93 done, 7 still in flight.
  assert.equal(doneFromProgress("PROGRESS 100 97 90"), 93);
  assert.equal(doneFromProgress("PROGRESS 100 97 90\r"), 93);
  assert.equal(doneFromProgress("FINISHED"), undefined);
  assert.equal(doneFromProgress("PROGRESS 1 2"), undefined);
});

test("the verdict tells current, regressed, resurrected and lost rows apart", () => {
  const truth = new Map([
    ["a", { version: "pg:2", deleted: false }],
    ["b", { version: "pg:5", deleted: false }],
    ["c", { version: "pg:7", deleted: true }],
    ["d", { version: "pg:9", deleted: true }],
    ["e", { version: "pg:3", deleted: false }],
  ]);
  const items = new Map([
    ["a", itemState({ _cdc_version: { S: "pg:2" }, _cdc_deleted: { BOOL: false } })],
    ["b", itemState({ _cdc_version: { S: "pg:4" } })],
    ["c", itemState({ _cdc_version: { S: "pg:6" } })],
    ["d", itemState({ _cdc_version: { S: "pg:9" }, _cdc_deleted: { BOOL: true } })],
    ["e", itemState(undefined)],
  ]);
  assert.deepEqual(verdict(truth, items), { keys: 5, current: 2, regressed: 1, resurrected: 1, lost: 1 });
  assert.throws(
    () => verdict(truth, new Map([["a", { version: "pg:3", deleted: false }]])),
    /past the stream/,
  );
});

test("the replay stream re-sends its first part, and the newest change of a key is by version", () => {
  const o = { records: 400, keys: 40, replayRate: 0.04, deleteRate: 0.05, seed: 3 };
  const plain = [...changeStream(o)];
  const replayed = [...withReplay(o, 0.5)];
  assert.equal(replayed.length, plain.length + 200);
  assert.deepEqual(replayed.slice(plain.length), plain.slice(0, 200));
  // Sending older records again changes no key's newest change.
  assert.deepEqual(newest(replayed, "t"), newest(plain, "t"));
  const truth = newest(plain, "t");
  assert.equal(truth.size, 40);
  assert.ok([...truth.values()].some((s) => s.deleted));
});

test("the jar's cache folder changes with any source", () => {
  const dir = mkdtempSync(join(tmpdir(), "flink-peer-hash-"));
  try {
    cpSync(join(import.meta.dirname, "../../../bench/peers/flink"), dir, { recursive: true });
    const before = sourceHash(dir);
    assert.equal(sourceHash(dir), before);
    writeFileSync(join(dir, "src", "extra.txt"), "x");
    assert.notEqual(sourceHash(dir), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("produceStream counts what it sent also without a progress callback", async () => {
  const sent: number[] = [];
  const producer = {
    send: ({ messages }: { messages: unknown[] }) => (sent.push(messages.length), Promise.resolve([])),
  } as unknown as Parameters<typeof produceStream>[0];
  const stream = changeStream({ records: 2500, keys: 100, replayRate: 0, deleteRate: 0, seed: 1 });
  assert.equal(await produceStream(producer, "t", stream), 2500);
  assert.deepEqual(sent, [1000, 1000, 500]);
});

test("an order-keeping unconditional writer keeps each key's last message", () => {
  const o = { records: 400, keys: 40, replayRate: 0.1, deleteRate: 0.05, seed: 5 };
  const plain = [...changeStream(o)];
  const last = lastWins(plain, "t");
  const truth = newest(plain, "t");
  const v = verdict(truth, last);
  assert.equal(v.keys, 40);
  assert.equal(v.lost, 0); // in stream order, a row re-created after a delete is never lost
  // Re-sending the whole stream's first half leaves most keys at an older version.
  const again = verdict(newest(withReplay(o, 0.5), "t"), lastWins(withReplay(o, 0.5), "t"));
  assert.ok(again.regressed > v.regressed, JSON.stringify({ v, again }));
});
