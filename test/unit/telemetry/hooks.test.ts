// Telemetry never breaks processing: hooks that throw (synchronously or by rejecting), a tracer and a
// meter that throw on every call, leave every record with the same outcome, written exactly once.

import assert from "node:assert/strict";
import { test } from "node:test";
import { ProxyTracerProvider, type Meter, type Tracer } from "@opentelemetry/api";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { TransientError, type ClassifiedError } from "../../../src/core/errors.ts";
import type { KafkaRecord } from "../../../src/core/types.ts";
import { AdaptiveLimiter } from "../../../src/engine/limiter.ts";
import { Processor } from "../../../src/engine/processor.ts";
import type { DeadLetter } from "../../../src/engine/ports.ts";
import type { RecordObserver } from "../../../src/engine/ports.ts";
import { Stats } from "../../../src/engine/stats.ts";
import { createLog } from "../../../src/telemetry/log.ts";
import { FailureReporter, guard } from "../../../src/engine/guard.ts";
import { instrumentService } from "../../../src/telemetry/instrument.ts";
import type { Telemetry } from "../../../src/telemetry/telemetry.ts";
import { MemorySink } from "../../support/memory-sink.ts";
import { pgRecord, record } from "../../support/debezium-records.ts";

const TOPIC = "pg.public.customers";

function logCapture() {
  let text = "";
  const log = createLog("warn", {
    write: (chunk: string) => ((text += chunk), true),
  } as unknown as NodeJS.WritableStream);
  return { log, text: () => text };
}

/** The same workload for every variant: applied, duplicate, coalesced stale, a retried write, poison. */
async function run(observer: RecordObserver | undefined) {
  const sink = new MemorySink();
  let failedOnce = false;
  sink.fault = (e) => {
    if (e.id === "[2]" && !failedOnce) {
      failedOnce = true;
      throw new TransientError("dynamodb_ThrottlingException", "injected");
    }
  };
  const dead: string[] = [];
  const deadLetter: DeadLetter = {
    publish: (r: KafkaRecord, _e: ClassifiedError) => (dead.push(r.offset), Promise.resolve()),
  };
  const stats = new Stats();
  const { log, text } = logCapture();
  const processor = new Processor({
    sinkFor: () => sink,
    decodeOptions: () => ({ versionSource: "auto", epoch: 0 }),
    deadLetter,
    limiter: new AdaptiveLimiter(4),
    backoff: { baseMs: 1, maxMs: 2 },
    stats,
    maxBuffered: 1000,
    flow: { pause: () => undefined, resume: () => undefined },
    onFatal: (err) => assert.fail(`fatal: ${err.message}`),
    log,
    observer,
  });
  processor.assign({ [TOPIC]: [0] });
  processor.enqueue(TOPIC, 0, [
    pgRecord({ op: "c", id: 1, lsn: 10 }, 0),
    pgRecord({ op: "c", id: 2, lsn: 20 }, 1),
    pgRecord({ op: "u", id: 3, lsn: 30 }, 2),
    pgRecord({ op: "u", id: 3, lsn: 31 }, 3),
    record({ offset: "4", key: Buffer.from('{"id":9}'), value: Buffer.from([0xff, 0x00]) }),
  ]);
  assert.ok(await processor.drain(10_000));
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 1, lsn: 10 }, 5)]);
  assert.ok(await processor.drain(10_000));
  return {
    stats: stats.total,
    writes: sink.applied.length,
    items: [...sink.items.entries()],
    dead,
    commit: processor.commitPoints(),
    logs: text(),
  };
}

const throwing = (mode: "sync" | "async"): RecordObserver => {
  const fail = (): never => {
    throw new Error("observer exploded");
  };
  const reject = (): Promise<never> => Promise.reject(new Error("observer rejected"));
  const f = mode === "sync" ? fail : (reject as () => never);
  return { received: f, decoded: f, retrying: f, finished: f, released: f, within: f };
};

test("an observer that throws or rejects on every call changes no outcome, and every write runs once", async () => {
  const baseline = await run(undefined);
  assert.deepEqual(
    [
      baseline.stats.applied,
      baseline.stats.duplicate,
      baseline.stats.stale,
      baseline.stats.dead_lettered,
      baseline.stats.retries,
    ],
    [3, 1, 1, 1, 1],
  );
  for (const mode of ["sync", "async"] as const) {
    const r = await run(throwing(mode));
    assert.deepEqual(r.stats, baseline.stats, mode);
    assert.equal(r.writes, baseline.writes, `${mode}: no write doubled or lost`);
    assert.deepEqual(r.items, baseline.items);
    assert.deepEqual(r.dead, baseline.dead);
    assert.deepEqual(r.commit, baseline.commit);
    assert.match(r.logs, /telemetry failed, processing goes on: observer (exploded|rejected)/);
  }
});

test("`within` that runs the work and then throws, or never runs it, still runs the work exactly once", async () => {
  const baseline = await run(undefined);
  const after = await run({ within: (_r, work) => (work(), assert.fail("after work")) });
  const never = await run({ within: () => undefined });
  for (const r of [after, never]) {
    assert.deepEqual(r.stats, baseline.stats);
    assert.equal(r.writes, baseline.writes);
  }
});

test("failures are reported at most once a minute, with the count of the ones held back", () => {
  const { log, text } = logCapture();
  let now = 1_000_000;
  const reporter = new FailureReporter(log, "test", () => now);
  const hooks = guard({ boom: (): number => assert.fail("boom") }, reporter);
  for (let i = 0; i < 5; i++) assert.equal(hooks.boom(), undefined);
  const lines = () =>
    text()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { suppressed: number });
  assert.deepEqual(
    lines().map((l) => l.suppressed),
    [0],
    "the first failure is reported at once",
  );
  now += 59_999;
  hooks.boom();
  assert.equal(lines().length, 1, "within the minute, failures are only counted");
  now += 1;
  hooks.boom();
  assert.deepEqual(
    lines().map((l) => l.suppressed),
    [0, 5],
    "a minute later: one line, with the 5 failures held back since the last one",
  );
});

test("a tracer whose spans throw, or a meter that throws: the instrumented service's hooks still let records through", async () => {
  const explode = (): never => {
    throw new Error("sdk exploded");
  };
  const hostileSpan = new Proxy(
    {},
    {
      get: (_t, p) =>
        p === "spanContext"
          ? () => ({ traceId: "1".repeat(32), spanId: "1".repeat(16), traceFlags: 1 })
          : explode,
    },
  );
  const hostileTracer = { startSpan: () => hostileSpan, startActiveSpan: explode } as unknown as Tracer;
  const hostileMeter = new Proxy({}, { get: () => explode }) as Meter;
  const baseline = await run(undefined);
  for (const [tracer, meter] of [
    [hostileTracer, new MeterProvider().getMeter("t")],
    [new ProxyTracerProvider().getTracer("t"), hostileMeter],
  ] as const) {
    const telemetry: Telemetry = {
      tracer,
      meter,
      keyMode: "hash",
      metricsText: explode,
      shutdown: () => Promise.reject(new Error("flush failed")),
    };
    const { log } = logCapture();
    const t = instrumentService(telemetry, log, "g");
    const r = await run(t.observer);
    assert.deepEqual(r.stats, baseline.stats);
    assert.equal(r.writes, baseline.writes);
    t.observe(new Stats(), {
      inFlight: explode,
      limit: explode,
      buffered: explode,
      pausedPartitions: explode,
      ready: explode,
    });
    t.sourceListener.onBatch?.(TOPIC, 0, "10", "0");
    t.sourceListener.onCommit?.([{ topic: TOPIC, partition: 0, offset: "5" }], 3);
    t.sourceListener.onCommitError?.([{ topic: TOPIC, partition: 0, offset: "5" }], 3, new Error("x"));
    t.sourceListener.onRebalance?.();
    const published: string[] = [];
    const dl = t.deadLetter({ publish: (rec) => (published.push(rec.offset), Promise.resolve()) }, "dlq");
    await dl.publish(pgRecord({ op: "c", id: 1, lsn: 1 }, 7), new TransientError("dlq_publish", "y"), 1);
    assert.deepEqual(published, ["7"], "the DLQ publish itself happens");
    await t.close();
  }
});
