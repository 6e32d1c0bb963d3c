// The processor's bookkeeping, observed from outside: when memory pauses and resumes partitions,
// that one key's writes never overlap, how a group whose records are all poison ends, what a stop
// hands back, and that a record's work runs inside the observer's `within`.

import assert from "node:assert/strict";
import { AsyncLocalStorage } from "node:async_hooks";
import { test } from "node:test";
import { PoisonError, TransientError } from "../../../src/core/errors.ts";
import type { ChangeEvent } from "../../../src/core/types.ts";
import { AdaptiveLimiter } from "../../../src/engine/limiter.ts";
import { Processor, type ProcessorDeps } from "../../../src/engine/processor.ts";
import type { DeadLetter, Log } from "../../../src/engine/ports.ts";
import { Stats, finished } from "../../../src/engine/stats.ts";
import { MemorySink } from "../../support/memory-sink.ts";
import { pgRecord } from "../../support/debezium-records.ts";
import { waitFor } from "../../support/wait.ts";

const TOPIC = "pg.public.customers";
const quick = { timeoutMs: 5000, intervalMs: 1 };

type Warning = { fields: Record<string, unknown>; message: string };

function setup(options: Partial<ProcessorDeps> = {}) {
  const sink = new MemorySink();
  const stats = new Stats();
  const flowCalls: string[] = [];
  const fatal: Error[] = [];
  const warnings: Warning[] = [];
  const none = () => undefined;
  const log: Log = {
    info: none,
    error: none,
    debug: none,
    fatal: none,
    warn: (fields: object | string, message?: string) => {
      warnings.push({ fields: fields as Record<string, unknown>, message: message ?? "" });
    },
    child: () => log,
  };
  const published: string[] = [];
  const deadLetter: DeadLetter = { publish: (r) => Promise.resolve(void published.push(r.offset)) };
  const processor = new Processor({
    sinkFor: () => sink,
    decodeOptions: () => ({ versionSource: "auto", epoch: 0 }),
    deadLetter,
    limiter: new AdaptiveLimiter(8),
    backoff: { baseMs: 1, maxMs: 2 },
    stats,
    maxBuffered: 10_000,
    flow: {
      pause: (t, p) => flowCalls.push(`pause ${t}/${p}`),
      resume: (t, p) => flowCalls.push(`resume ${t}/${p}`),
    },
    onFatal: (err) => fatal.push(err),
    log,
    ...options,
  });
  processor.assign({ [TOPIC]: [0] });
  flowCalls.length = 0;
  return { sink, stats, flowCalls, fatal, warnings, published, processor };
}

/** A gate per key id: the write of that key waits until its gate opens. */
function gates() {
  const open = new Map<string, () => void>();
  const waiting = new Map<string, Promise<void>>();
  const gateOf = (id: string) => {
    let p = waiting.get(id);
    if (p === undefined) waiting.set(id, (p = new Promise<void>((r) => open.set(id, r))));
    return p;
  };
  return { fault: (e: ChangeEvent) => gateOf(e.id), open: (id: string) => (gateOf(id), open.get(id)!()) };
}

test("exactly MAX_BUFFERED_RECORDS in hand does not pause; one more does", () => {
  const { flowCalls, processor, sink } = setup({ maxBuffered: 2 });
  sink.fault = () => new Promise<void>(() => undefined); // writes never end: records stay in hand
  processor.enqueue(TOPIC, 0, [
    pgRecord({ op: "c", id: 1, lsn: 1 }, 0),
    pgRecord({ op: "c", id: 2, lsn: 2 }, 1),
  ]);
  assert.deepEqual(flowCalls, []);
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 3, lsn: 3 }, 2)]);
  assert.deepEqual(flowCalls, [`pause ${TOPIC}/0`]);
});

test("after a memory pause, partitions resume only once fewer than half the limit are in hand", async () => {
  const { sink, stats, flowCalls, processor } = setup({ maxBuffered: 4 });
  const g = gates();
  sink.fault = g.fault;
  processor.enqueue(
    TOPIC,
    0,
    [1, 2, 3, 4, 5].map((id) => pgRecord({ op: "c", id, lsn: id }, id)),
  );
  assert.deepEqual(flowCalls, [`pause ${TOPIC}/0`]);
  // In hand after each write finishes: 4, 3, 2 (not below half of 4), then 1: resume.
  for (const [id, inHand] of [
    [1, 4],
    [2, 3],
    [3, 2],
  ] as const) {
    g.open(`[${id}]`);
    await waitFor(() => stats.total.applied === id, quick);
    assert.equal(processor.buffered, inHand);
    assert.deepEqual(flowCalls, [`pause ${TOPIC}/0`], `still paused with ${inHand} in hand`);
  }
  g.open("[4]");
  await waitFor(() => stats.total.applied === 4, quick);
  assert.deepEqual(flowCalls, [`pause ${TOPIC}/0`, `resume ${TOPIC}/0`]);
  g.open("[5]");
  assert.ok(await processor.drain(5000));
});

test("one key's writes never overlap, across any number of batches", async () => {
  const { sink, stats, processor } = setup();
  const g = gates();
  let inFlight = 0;
  let most = 0;
  const order: string[] = [];
  sink.fault = async (e) => {
    inFlight++;
    most = Math.max(most, inFlight);
    order.push(e.version.slice(-1));
    try {
      await g.fault({ ...e, id: e.version.slice(-1) });
    } finally {
      inFlight--;
    }
  };
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 0)]);
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "u", id: 1, lsn: 2 }, 1)]);
  await waitFor(() => order.length === 1, quick);
  g.open("1"); // the first batch's write ends; the second batch's write starts
  await waitFor(() => order.length === 2, quick);
  // A third batch of the same key while the second's write is in flight: it must wait its turn.
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "u", id: 1, lsn: 3 }, 2)]);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(order, ["1", "2"], "the third write has not started");
  g.open("2");
  g.open("3");
  assert.ok(await processor.drain(5000));
  assert.equal(most, 1);
  assert.deepEqual(order, ["1", "2", "3"]);
  assert.equal(stats.total.applied, 3);
});

test("a group whose records are all poison: each dead-lettered, nothing fatal, all committed", async () => {
  const { sink, stats, fatal, published, processor } = setup();
  sink.fault = () => {
    throw new PoisonError("item_too_large", "too large");
  };
  processor.enqueue(TOPIC, 0, [
    pgRecord({ op: "c", id: 1, lsn: 1 }, 0),
    pgRecord({ op: "u", id: 1, lsn: 2 }, 1),
  ]);
  assert.ok(await processor.drain(5000));
  assert.deepEqual(fatal, []);
  assert.deepEqual(published.sort(), ["0", "1"]);
  assert.equal(stats.total.dead_lettered, 2);
  assert.deepEqual(processor.commitPoints(), [{ topic: TOPIC, partition: 0, offset: "2" }]);
});

test("a stop after the newest was dead-lettered hands back only the records not yet finished", async () => {
  const { sink, stats, processor } = setup({ backoff: { baseMs: 60_000, maxMs: 60_000 } });
  sink.fault = (e) => {
    if (e.version.endsWith("2")) throw new PoisonError("item_too_large", "too large");
    throw new TransientError("dynamodb_ECONNRESET", "reset");
  };
  processor.enqueue(TOPIC, 0, [
    pgRecord({ op: "c", id: 1, lsn: 1 }, 0),
    pgRecord({ op: "u", id: 1, lsn: 2 }, 1),
  ]);
  await waitFor(() => stats.total.retries === 1, quick);
  processor.stop();
  assert.ok(await processor.drain(5000));
  assert.equal(stats.total.dead_lettered, 1);
  assert.equal(stats.total.released, 1);
  assert.equal(processor.buffered, 0);
  assert.equal(finished(stats.total) + stats.total.released, stats.total.consumed);
});

test("a stop while writes wait for a limiter slot hands them back unwritten", async () => {
  const { sink, stats, processor } = setup({ limiter: new AdaptiveLimiter(1) });
  const g = gates();
  sink.fault = g.fault;
  processor.enqueue(TOPIC, 0, [
    pgRecord({ op: "c", id: 1, lsn: 1 }, 0),
    pgRecord({ op: "c", id: 2, lsn: 2 }, 1),
  ]);
  await waitFor(() => processor.buffered === 2 && sink.applied.length === 0, quick);
  await new Promise((r) => setTimeout(r, 10)); // the second write is now waiting for the one slot
  processor.stop();
  g.open("[1]");
  assert.ok(await processor.drain(5000));
  assert.deepEqual(sink.applied.length, 1, "only the write that held the slot");
  assert.equal(stats.total.released, 1);
  assert.equal(stats.total.applied, 1);
  assert.equal(processor.buffered, 0);
});

test("revokeAll hands back queued records and stops every commit", async () => {
  const { sink, stats, processor } = setup();
  const g = gates();
  let writing = 0;
  sink.fault = (e) => (writing++, g.fault(e));
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 0)]);
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "u", id: 1, lsn: 2 }, 1)]);
  await waitFor(() => writing === 1, quick);
  processor.revokeAll(); // the first write is in flight, the second record queued behind it
  g.open("[1]");
  assert.ok(await processor.drain(5000));
  assert.equal(stats.total.released, 1);
  assert.deepEqual(processor.commitPoints(), []);
});

test("a record's work runs inside the observer's within: its async context reaches the write", async () => {
  const context = new AsyncLocalStorage<string>();
  const seen: (string | undefined)[] = [];
  const { sink, processor } = setup({
    observer: { within: (r, work) => context.run(`record ${r.offset}`, work) },
  });
  sink.fault = () => void seen.push(context.getStore());
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 4)]);
  assert.ok(await processor.drain(5000));
  assert.deepEqual(seen, ["record 4"]);
});

test("a failing observer is reported as the record observer", async () => {
  const { warnings, processor } = setup({
    observer: {
      received: () => {
        throw new Error("observer broke");
      },
    },
  });
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 0)]);
  assert.ok(await processor.drain(5000));
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]!.fields["telemetry"], "record observer");
  assert.equal(warnings[0]!.fields["hook"], "received");
});
