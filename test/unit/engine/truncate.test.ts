// TRUNCATE_POLICY=apply in the processor (engine/truncate.ts): the truncate waits for every earlier
// record of its partition, tombstones the source's items older than it, leaves newer ones, and its
// offset becomes committable only once it is done.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChangeEvent, KafkaRecord } from "../../../src/core/types.ts";
import { AdaptiveLimiter } from "../../../src/engine/limiter.ts";
import { Processor } from "../../../src/engine/processor.ts";
import type { Sink } from "../../../src/engine/ports.ts";
import { Stats } from "../../../src/engine/stats.ts";
import { createLog } from "../../../src/telemetry/log.ts";
import { MemorySink } from "../../support/memory-sink.ts";
import { pgEnvelope, pgRecord, record } from "../../support/debezium-records.ts";
import { waitFor } from "../../support/wait.ts";

const TOPIC = "pg.public.customers";

function setup<S extends Sink>(sink: S) {
  const stats = new Stats();
  const fatal: Error[] = [];
  const processor = new Processor({
    sinkFor: () => sink,
    decodeOptions: () => ({ versionSource: "auto", epoch: 0, truncate: "apply" }),
    deadLetter: undefined,
    limiter: new AdaptiveLimiter(8),
    backoff: { baseMs: 1, maxMs: 5 },
    stats,
    maxBuffered: 10_000,
    flow: { pause: () => undefined, resume: () => undefined },
    onFatal: (err) => fatal.push(err),
    log: createLog("silent"),
  });
  processor.assign({ [TOPIC]: [0] });
  return { sink, stats, fatal, processor };
}

function truncateRecord(offset: number, lsn: number, lastCommitLsn: number): KafkaRecord {
  const env = pgEnvelope({ op: "u", id: 0, lsn, lastCommitLsn });
  const value = Buffer.from(JSON.stringify({ ...env, op: "t", before: null, after: null }));
  return record({ topic: TOPIC, offset: String(offset), value });
}

const committed = (p: Processor): string | undefined => p.commitPoints()[0]?.offset;

test("the truncate waits for the earlier records, tombstones older items, leaves newer ones", async () => {
  const sink = new MemorySink();
  let releaseSlow!: () => void;
  const slow = new Promise<void>((resolve) => (releaseSlow = resolve));
  // Row 2's insert (before the truncate) is slow to write: the truncate must not scan before it lands.
  sink.fault = async (e: ChangeEvent) => {
    if (e.id === "[2]" && e.op === "c") await slow;
  };
  const { stats, fatal, processor } = setup(sink);
  processor.enqueue(TOPIC, 0, [
    pgRecord({ op: "c", id: 1, lsn: 10, lastCommitLsn: 5 }, 0),
    pgRecord({ op: "c", id: 2, lsn: 11, lastCommitLsn: 5 }, 1),
    truncateRecord(2, 30, 20),
    pgRecord({ op: "c", id: 3, lsn: 41, lastCommitLsn: 40 }, 3), // after the truncate: survives
  ]);
  await waitFor(() => sink.items.has("pg.app.public.customers:[3]") && stats.total.applied >= 2, {
    timeoutMs: 5000,
  });
  // Row 1 and row 3 are written, row 2 is not: the truncate waits and its offset is not committable.
  assert.equal(stats.total.applied, 2);
  assert.equal(committed(processor), "1");
  releaseSlow();
  assert.ok(await processor.drain(5000));
  assert.deepEqual(fatal, []);
  const item = (id: number) => sink.items.get(`pg.app.public.customers:[${id}]`)!;
  assert.equal(item(1).deleted, true);
  assert.equal(item(2).deleted, true, "the slow earlier insert was tombstoned: the truncate waited for it");
  assert.equal(item(1).version, item(2).version);
  assert.equal(item(3).deleted, false, "a row inserted after the truncate survives");
  assert.equal(committed(processor), "4");
  assert.equal(stats.total.applied, 4); // rows 1–3 and the truncate
  assert.equal(stats.truncatedItems.get(`${TOPIC}/0`), 2);
});

test("a replayed truncate and the changes before it change nothing", async () => {
  const { sink, stats, processor } = setup(new MemorySink());
  const batch = [
    pgRecord({ op: "c", id: 1, lsn: 10, lastCommitLsn: 5 }, 0),
    truncateRecord(1, 30, 20),
    pgRecord({ op: "c", id: 2, lsn: 41, lastCommitLsn: 40 }, 2),
  ];
  processor.enqueue(TOPIC, 0, batch);
  assert.ok(await processor.drain(5000));
  const after = JSON.stringify([...sink.items]);
  processor.assign({ [TOPIC]: [0] }); // a new generation: the same records again
  processor.enqueue(TOPIC, 0, batch);
  assert.ok(await processor.drain(5000));
  assert.equal(JSON.stringify([...sink.items]), after);
  assert.equal(stats.total.duplicate + stats.total.stale, 3, "the insert, the truncate, the insert");
  assert.equal(stats.truncatedItems.get(`${TOPIC}/0`), 1);
});

test("a sink that cannot scan (run --dry-run) counts the truncate as skipped", async () => {
  const memory = new MemorySink();
  const { stats, processor } = setup<Sink>({ write: (e) => memory.write(e) });
  processor.enqueue(TOPIC, 0, [truncateRecord(0, 30, 20)]);
  assert.ok(await processor.drain(5000));
  assert.equal(stats.total.skipped, 1);
  assert.equal(stats.skipReasons.get("truncate"), 1);
  assert.equal(committed(processor), "1");
});

test("a truncate waiting at the barrier is released when its partition is revoked", async () => {
  const sink = new MemorySink();
  let releaseSlow!: () => void;
  const slow = new Promise<void>((resolve) => (releaseSlow = resolve));
  sink.fault = async () => slow;
  const { stats, processor } = setup(sink);
  processor.enqueue(TOPIC, 0, [
    pgRecord({ op: "c", id: 1, lsn: 10, lastCommitLsn: 5 }, 0),
    truncateRecord(1, 30, 20),
  ]);
  await new Promise((r) => setTimeout(r, 30));
  processor.revokeAll();
  releaseSlow();
  assert.ok(await processor.drain(5000));
  assert.equal(stats.total.released, 1, "the truncate went back to Kafka");
  assert.equal(stats.truncatedItems.get(`${TOPIC}/0`), undefined);
});
