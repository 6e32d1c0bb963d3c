// The processor's less travelled paths, each checked through its ports: what the observer, the
// flow, the limiter, the log and onFatal see, and what is committed.

import assert from "node:assert/strict";
import { test } from "node:test";
import { FatalError, PoisonError, TransientError, type ClassifiedError } from "../../../src/core/errors.ts";
import type { KafkaRecord, Outcome } from "../../../src/core/types.ts";
import { AdaptiveLimiter } from "../../../src/engine/limiter.ts";
import { Processor, type ProcessorDeps } from "../../../src/engine/processor.ts";
import type { DeadLetter, Log, RecordObserver } from "../../../src/engine/ports.ts";
import { Stats, finished } from "../../../src/engine/stats.ts";
import { MemorySink } from "../../support/memory-sink.ts";
import { pgRecord, record } from "../../support/debezium-records.ts";
import { waitFor } from "../../support/wait.ts";

const TOPIC = "pg.public.customers";

type Line = { fields: Record<string, unknown>; message: string };

function capturingLog(): Log & { warnings: Line[] } {
  const warnings: Line[] = [];
  const none = () => undefined;
  const log = {
    warnings,
    info: none,
    error: none,
    debug: none,
    fatal: none,
    warn: (fields: object | string, message?: string) => {
      warnings.push({ fields: fields as Record<string, unknown>, message: message ?? "" });
    },
    child: () => log,
  };
  return log;
}

/** Every observer call, as text: `<hook> <offset> …`. */
function recordingObserver(): RecordObserver & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    received: (r) => calls.push(`received ${r.offset}`),
    decoded: (r, e) => calls.push(`decoded ${r.offset} ${e.id}`),
    retrying: (r, err, attempt) => calls.push(`retrying ${r.offset} ${err.code} ${attempt}`),
    finished: (r, outcome, detail) =>
      calls.push(
        `finished ${r.offset} ${outcome}` +
          (detail?.coalesced === true ? " coalesced" : "") +
          (detail?.skipReason !== undefined ? ` ${detail.skipReason}` : "") +
          (detail?.error !== undefined ? ` ${detail.error.code}` : ""),
      ),
    released: (r) => calls.push(`released ${r.offset}`),
  };
}

function setup(options: Partial<ProcessorDeps> = {}) {
  const sink = new MemorySink();
  const stats = new Stats();
  const flowCalls: string[] = [];
  const fatal: Error[] = [];
  const log = capturingLog();
  const published: { record: KafkaRecord; error: ClassifiedError }[] = [];
  const deadLetter: DeadLetter = {
    publish: (r, error) => Promise.resolve(void published.push({ record: r, error })),
  };
  const limiter = new AdaptiveLimiter(8);
  const processor = new Processor({
    sinkFor: () => sink,
    decodeOptions: () => ({ versionSource: "auto", epoch: 0 }),
    deadLetter,
    limiter,
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
  return { sink, stats, flowCalls, fatal, log, published, limiter, processor };
}

const offsets = (points: { partition: number; offset: string }[]) =>
  Object.fromEntries(points.map((p) => [p.partition, p.offset]));

test("assign resumes every newly assigned partition", () => {
  const { flowCalls, processor } = setup();
  processor.assign({ [TOPIC]: [0, 2], other: [1] });
  assert.deepEqual(flowCalls, [`resume ${TOPIC}/0`, `resume ${TOPIC}/2`, "resume other/1"]);
});

test("the observer sees each record received, decoded and finished; coalesced ones say so", async () => {
  const observer = recordingObserver();
  const { processor } = setup({ observer });
  processor.assign({ [TOPIC]: [0] });
  processor.enqueue(TOPIC, 0, [
    pgRecord({ op: "c", id: 1, lsn: 1 }, 0),
    pgRecord({ op: "u", id: 1, lsn: 2 }, 1),
    record({ offset: "2", key: Buffer.from('{"id":9}'), value: null }),
  ]);
  assert.ok(await processor.drain(5000));
  assert.deepEqual(observer.calls.sort(), [
    "decoded 0 [1]",
    "decoded 1 [1]",
    "finished 0 stale coalesced",
    "finished 1 applied",
    "finished 2 skipped kafka_tombstone",
    "received 0",
    "received 1",
    "received 2",
  ]);
});

test("a Kafka tombstone is skipped: finished at once, no write, and the watermark passes it", async () => {
  const { sink, stats, processor } = setup();
  processor.assign({ [TOPIC]: [0] });
  processor.enqueue(TOPIC, 0, [record({ offset: "0", key: Buffer.from('{"id":1}'), value: null })]);
  assert.equal(stats.total.skipped, 1, "synchronously, before any write");
  assert.equal(processor.buffered, 0);
  assert.ok(await processor.drain(5000));
  assert.equal(sink.applied.length, 0);
  assert.deepEqual(offsets(processor.commitPoints()), { 0: "1" });
});

test("side-topic records are skipped with their reason, counted per reason, never dead-lettered", async () => {
  const { stats, published, processor } = setup();
  const hb = "__debezium-heartbeat.pg";
  processor.assign({ [TOPIC]: [0], [hb]: [0] });
  const beat = (offset: number) =>
    record({
      topic: hb,
      offset: String(offset),
      key: Buffer.from('{"serverName":"pg"}'),
      value: Buffer.from('{"ts_ms":1}'),
    });
  processor.enqueue(hb, 0, [beat(0), beat(1)]);
  processor.enqueue(TOPIC, 0, [
    record({
      offset: "0",
      key: Buffer.from('{"id":1}'),
      value: Buffer.from('{"status":"END","id":"1:2","ts_ms":1}'),
    }),
    record({ offset: "1", key: Buffer.from('{"id":1}'), value: null }),
  ]);
  assert.ok(await processor.drain(5000));
  assert.equal(published.length, 0);
  assert.equal(stats.total.skipped, 4);
  assert.deepEqual(Object.fromEntries(stats.skipReasons), {
    heartbeat: 2,
    transaction_metadata: 1,
    kafka_tombstone: 1,
  });
  assert.deepEqual(Object.fromEntries(stats.skipsByPartition().get(`${hb}/0`)!), { heartbeat: 2 });
  assert.deepEqual(offsets(processor.commitPoints().filter((p) => p.topic === hb)), { 0: "2" });
});

test("a record delivered again while still in hand is not registered twice", async () => {
  const { sink, stats, processor } = setup();
  processor.assign({ [TOPIC]: [0] });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  sink.fault = () => gate;
  const batch = [pgRecord({ op: "c", id: 1, lsn: 1 }, 0), pgRecord({ op: "c", id: 2, lsn: 2 }, 1)];
  processor.enqueue(TOPIC, 0, batch);
  processor.enqueue(TOPIC, 0, batch);
  assert.equal(stats.total.consumed, 2);
  assert.equal(processor.buffered, 2);
  release();
  assert.ok(await processor.drain(5000));
  assert.equal(sink.applied.length, 2);
  assert.equal(finished(stats.total), 2);
  assert.equal(processor.buffered, 0);
});

test("records of a partition not held are released, never written or committed", async () => {
  const observer = recordingObserver();
  const { sink, stats, processor } = setup({ observer });
  processor.assign({ [TOPIC]: [0] });
  processor.enqueue(TOPIC, 5, [pgRecord({ op: "c", id: 1, lsn: 1 }, 0, TOPIC, 5)]);
  assert.ok(await processor.drain(5000));
  assert.equal(sink.applied.length, 0);
  assert.equal(stats.total.released, 1);
  assert.equal(processor.buffered, 0);
  assert.ok(observer.calls.includes("released 0"));
  assert.deepEqual(processor.commitPoints(), []);
});

test("after stop, nothing is taken: enqueue registers nothing", async () => {
  const { sink, stats, processor } = setup();
  processor.assign({ [TOPIC]: [0] });
  assert.equal(processor.stopping, false);
  processor.stop();
  assert.equal(processor.stopping, true);
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 0)]);
  assert.ok(await processor.drain(5000));
  assert.equal(stats.total.consumed, 0);
  assert.equal(sink.applied.length, 0);
  assert.deepEqual(processor.commitPoints(), []);
});

test("commit points move once per change: markCommitted hides a point until it moves", async () => {
  const { processor } = setup();
  processor.assign({ [TOPIC]: [0, 1] });
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 0)]);
  assert.ok(await processor.drain(5000));
  const points = processor.commitPoints();
  assert.deepEqual(points, [{ topic: TOPIC, partition: 0, offset: "1" }]);
  processor.markCommitted(points);
  assert.deepEqual(processor.commitPoints(), []);
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 2, lsn: 2 }, 1)]);
  assert.ok(await processor.drain(5000));
  assert.deepEqual(processor.commitPoints(), [{ topic: TOPIC, partition: 0, offset: "2" }]);
});

test("a transient error: retried, observer and log told, the partition paused then resumed", async () => {
  const observer = recordingObserver();
  const { sink, stats, flowCalls, log, limiter, processor } = setup({ observer });
  processor.assign({ [TOPIC]: [0] });
  flowCalls.length = 0;
  let failures = 2;
  sink.fault = () => {
    if (failures-- > 0) throw new TransientError("dynamodb_ECONNRESET", "connection reset");
  };
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 7)]);
  assert.ok(await processor.drain(5000));
  assert.equal(stats.total.applied, 1);
  assert.equal(stats.total.retries, 2);
  assert.deepEqual(flowCalls, [`pause ${TOPIC}/0`, `resume ${TOPIC}/0`], "paused once, resumed once");
  assert.ok(observer.calls.includes("retrying 7 dynamodb_ECONNRESET 1"));
  assert.ok(observer.calls.includes("retrying 7 dynamodb_ECONNRESET 2"));
  assert.equal(log.warnings.length, 2);
  assert.deepEqual(
    { ...log.warnings[1]!.fields, delayMs: 0 },
    { topic: TOPIC, partition: 0, offset: "7", attempt: 2, code: "dynamodb_ECONNRESET", delayMs: 0 },
  );
  assert.match(log.warnings[1]!.message, /connection reset/);
  assert.equal(limiter.limit, 8, "a connection reset is not pushback: the limit stays");
  assert.equal(limiter.inFlight, 0, "every slot taken was given back");
  assert.equal(processor.pausedPartitions(), 0);
});

test("pushback halves the limiter; successes are counted towards its growth", async () => {
  const { sink, limiter, processor } = setup();
  processor.assign({ [TOPIC]: [0] });
  let failures = 1;
  sink.fault = () => {
    if (failures-- > 0) throw new TransientError("dynamodb_ThrottlingException", "slow down");
  };
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 0)]);
  assert.ok(await processor.drain(5000));
  assert.equal(limiter.limit, 4);
  processor.enqueue(
    TOPIC,
    0,
    [2, 3, 4, 5].map((id) => pgRecord({ op: "c", id, lsn: id }, id)),
  );
  assert.ok(await processor.drain(5000));
  assert.equal(limiter.limit, 5, "four successes at a limit of 4 grow it by one");
  assert.equal(limiter.inFlight, 0);
});

test("retries ending do not resume a partition still paused for memory; the memory check does", async () => {
  const { sink, stats, flowCalls, processor } = setup({ maxBuffered: 2 });
  processor.assign({ [TOPIC]: [0] });
  flowCalls.length = 0;
  let failing = true;
  sink.fault = () => {
    if (failing) throw new TransientError("dynamodb_ECONNRESET", "reset");
  };
  processor.enqueue(
    TOPIC,
    0,
    [1, 2, 3].map((id) => pgRecord({ op: "c", id, lsn: id }, id)),
  );
  await waitFor(() => stats.total.retries >= 3, { timeoutMs: 5000, intervalMs: 1, message: "retries" });
  assert.equal(processor.pausedPartitions(), 1);
  failing = false;
  assert.ok(await processor.drain(5000));
  // Paused for memory (3 records over 2), paused for retries; resumed once, when memory allowed.
  assert.deepEqual(flowCalls, [`pause ${TOPIC}/0`, `pause ${TOPIC}/0`, `resume ${TOPIC}/0`]);
  assert.equal(processor.pausedPartitions(), 0);
});

test("retries ending on a revoked partition do not resume it", async () => {
  const { sink, stats, flowCalls, processor } = setup();
  processor.assign({ [TOPIC]: [0] });
  let failing = true;
  sink.fault = () => {
    if (failing) throw new TransientError("dynamodb_ECONNRESET", "reset");
  };
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 0)]);
  await waitFor(() => stats.total.retries >= 1, { timeoutMs: 5000, intervalMs: 1, message: "a retry" });
  processor.assign({ [TOPIC]: [1] }); // a rebalance while retrying
  flowCalls.length = 0;
  failing = false;
  assert.ok(await processor.drain(5000));
  assert.deepEqual(flowCalls, []);
});

test("a FatalError from the sink stops the service; the record is released, not committed", async () => {
  const { sink, stats, fatal, processor } = setup();
  processor.assign({ [TOPIC]: [0] });
  const error = new FatalError("table_not_active", "no table", 3);
  sink.fault = () => {
    throw error;
  };
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 0)]);
  assert.ok(await processor.drain(5000));
  assert.deepEqual(fatal, [error]);
  assert.equal(stats.total.released, 1);
  assert.equal(finished(stats.total), 0);
  assert.deepEqual(offsets(processor.commitPoints()), { 0: "0" });
});

test("a programming error from the sink is fatal as it is; a thrown non-Error becomes an Error", async () => {
  for (const [thrown, check] of [
    [new TypeError("bug"), (e: Error) => e instanceof TypeError && e.message === "bug"],
    ["text", (e: Error) => e.constructor === Error && e.message === "text"],
  ] as const) {
    const { sink, fatal, processor } = setup();
    processor.assign({ [TOPIC]: [0] });
    sink.fault = () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- a sink that throws a non-Error
      throw thrown;
    };
    processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 0)]);
    assert.ok(await processor.drain(5000));
    assert.equal(fatal.length, 1);
    assert.ok(check(fatal[0]!), String(fatal[0]));
    assert.deepEqual(offsets(processor.commitPoints()), { 0: "0" });
  }
});

test("a newest version that is poison is dead-lettered and the next newest is written", async () => {
  const observer = recordingObserver();
  const { sink, stats, published, log, processor } = setup({ observer });
  processor.assign({ [TOPIC]: [0] });
  sink.fault = (e) => {
    if (e.version.endsWith("3")) throw new PoisonError("item_too_large", "too large");
  };
  processor.enqueue(TOPIC, 0, [
    pgRecord({ op: "c", id: 1, lsn: 1 }, 0),
    pgRecord({ op: "u", id: 1, lsn: 2 }, 1),
    pgRecord({ op: "u", id: 1, lsn: 3 }, 2),
  ]);
  assert.ok(await processor.drain(5000));
  assert.deepEqual(
    published.map((p) => [p.record.offset, p.error.code]),
    [["2", "item_too_large"]],
  );
  assert.deepEqual(sink.applied, ["pg.app.public.customers:[1]@" + [...sink.items.values()][0]!.version]);
  assert.ok([...sink.items.values()][0]!.version.endsWith("2"));
  assert.deepEqual([stats.total.dead_lettered, stats.total.applied, stats.total.stale], [1, 1, 1]);
  assert.ok(observer.calls.includes("finished 2 dead_lettered item_too_large"));
  assert.ok(observer.calls.includes("finished 0 stale coalesced"));
  assert.deepEqual(log.warnings[0]!.fields, {
    topic: TOPIC,
    partition: 0,
    offset: "2",
    code: "item_too_large",
  });
  assert.deepEqual(offsets(processor.commitPoints()), { 0: "3" });
});

test("dead letters are retried on transient errors; on stop a waiting dead letter is released", async () => {
  let failures = 2;
  const published: string[] = [];
  const deadLetter: DeadLetter = {
    publish: (r) => {
      if (failures-- > 0) return Promise.reject(new TransientError("dlq_publish", "slow"));
      published.push(r.offset);
      return Promise.resolve();
    },
  };
  const { stats, processor } = setup({ deadLetter });
  processor.assign({ [TOPIC]: [0] });
  processor.enqueue(TOPIC, 0, [
    record({ offset: "0", key: Buffer.from('{"id":1}'), value: Buffer.from("{") }),
  ]);
  assert.ok(await processor.drain(5000));
  assert.deepEqual(published, ["0"]);
  assert.equal(stats.total.retries, 2);
  assert.equal(stats.total.dead_lettered, 1);

  const stuck: DeadLetter = { publish: () => Promise.reject(new TransientError("dlq_publish", "slow")) };
  const second = setup({ deadLetter: stuck, backoff: { baseMs: 60_000, maxMs: 60_000 } });
  second.processor.assign({ [TOPIC]: [0] });
  second.processor.enqueue(TOPIC, 0, [
    record({ offset: "0", key: Buffer.from('{"id":1}'), value: Buffer.from("{") }),
  ]);
  await waitFor(() => second.stats.total.retries === 1, { timeoutMs: 5000, intervalMs: 1 });
  second.processor.stop();
  assert.ok(await second.processor.drain(5000));
  assert.equal(second.stats.total.released, 1);
  assert.equal(second.stats.total.dead_lettered, 0);
  assert.equal(second.processor.buffered, 0);
  assert.deepEqual(offsets(second.processor.commitPoints()), { 0: "0" });
});

test("a dead letter that fails for good is fatal", async () => {
  const broken = new PoisonError("invalid_value", "refused");
  const { fatal, processor } = setup({ deadLetter: { publish: () => Promise.reject(broken) } });
  processor.assign({ [TOPIC]: [0] });
  processor.enqueue(TOPIC, 0, [
    record({ offset: "0", key: Buffer.from('{"id":1}'), value: Buffer.from("{") }),
  ]);
  assert.ok(await processor.drain(5000));
  assert.deepEqual(fatal, [broken]);
  assert.deepEqual(offsets(processor.commitPoints()), { 0: "0" });
});

test("without a DLQ, poison is fatal with exit code 4 and the record's place in the message", async () => {
  const { fatal, processor } = setup({ deadLetter: undefined });
  processor.assign({ [TOPIC]: [0] });
  processor.enqueue(TOPIC, 0, [
    record({ offset: "3", key: Buffer.from('{"id":1}'), value: Buffer.from("{") }),
  ]);
  assert.ok(await processor.drain(5000));
  assert.equal(fatal.length, 1);
  assert.ok(fatal[0] instanceof FatalError);
  assert.equal(fatal[0].code, "poison_without_dlq");
  assert.equal(fatal[0].exitCode, 4);
});

test("drain answers false when work outlives its deadline, true once it settles", async () => {
  const { sink, processor } = setup();
  processor.assign({ [TOPIC]: [0] });
  let release!: () => void;
  sink.fault = () => new Promise<void>((r) => (release = r));
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 0)]);
  await waitFor(() => release !== undefined, { timeoutMs: 5000, intervalMs: 1 });
  const started = Date.now();
  assert.equal(await processor.drain(50), false);
  assert.ok(Date.now() - started >= 45);
  assert.equal(await processor.drain(0), false, "no time left");
  release();
  assert.equal(await processor.drain(5000), true);
  assert.equal(await processor.drain(0), true, "nothing in flight: true without waiting");
});

test("stalledSince shows a write that never resolves; buffered counts the records in hand", async () => {
  const { sink, processor } = setup();
  processor.assign({ [TOPIC]: [0, 1] });
  assert.equal(processor.stalledSince(), undefined);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  sink.fault = (e) => (e.id === "[1]" ? gate : undefined);
  const before = Date.now();
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 0)]);
  processor.enqueue(TOPIC, 1, [pgRecord({ op: "c", id: 2, lsn: 2 }, 0, TOPIC, 1)]);
  assert.equal(processor.buffered, 2);
  await waitFor(() => processor.buffered === 1, { timeoutMs: 5000, intervalMs: 1 });
  const since = processor.stalledSince();
  assert.ok(since !== undefined && since >= before && since <= Date.now());
  release();
  assert.ok(await processor.drain(5000));
  assert.equal(processor.stalledSince(), undefined);
  assert.equal(processor.buffered, 0);
});

test("an observer whose hooks throw changes no outcome; within runs the work exactly once", async () => {
  let withinCalls = 0;
  const explode = (): never => {
    throw new Error("observer broke");
  };
  const observer: RecordObserver = {
    received: explode,
    decoded: explode,
    finished: explode,
    within: (_r, work) => {
      withinCalls++;
      work();
      work(); // a second call must not write again
      throw new Error("within broke after running the work");
    },
  };
  const { sink, stats, processor } = setup({ observer });
  processor.assign({ [TOPIC]: [0] });
  processor.enqueue(TOPIC, 0, [
    pgRecord({ op: "c", id: 1, lsn: 1 }, 0),
    pgRecord({ op: "c", id: 2, lsn: 2 }, 1),
  ]);
  assert.ok(await processor.drain(5000));
  assert.equal(withinCalls, 2);
  assert.equal(sink.applied.length, 2);
  assert.equal(stats.total.applied, 2);
  assert.deepEqual(offsets(processor.commitPoints()), { 0: "2" });
});

test("the outcome names an observer gets are the ones the stats count", async () => {
  const seen: Outcome[] = [];
  const { stats, processor } = setup({ observer: { finished: (_r, o) => void seen.push(o) } });
  processor.assign({ [TOPIC]: [0] });
  processor.enqueue(TOPIC, 0, [
    pgRecord({ op: "c", id: 1, lsn: 2 }, 0),
    pgRecord({ op: "c", id: 1, lsn: 2 }, 1),
    pgRecord({ op: "c", id: 1, lsn: 1 }, 2),
  ]);
  assert.ok(await processor.drain(5000));
  assert.deepEqual(seen.sort(), ["applied", "duplicate", "stale"]);
  assert.deepEqual([stats.total.applied, stats.total.duplicate, stats.total.stale], [1, 1, 1]);
});
