// POISON_POLICY through the processor's ports: what is published, finished, logged, committed, and
// whether the service stops. A poison record is made both by decoding (bytes that are not JSON)
// and by the write (the sink refuses it), the two places poison arises.

import assert from "node:assert/strict";
import { test } from "node:test";
import { FatalError, PoisonError, type ClassifiedError } from "../../../src/core/errors.ts";
import type { KafkaRecord } from "../../../src/core/types.ts";
import { AdaptiveLimiter } from "../../../src/engine/limiter.ts";
import type { PoisonPolicy } from "../../../src/engine/poison.ts";
import { Processor } from "../../../src/engine/processor.ts";
import type { Log, RecordObserver } from "../../../src/engine/ports.ts";
import { Stats } from "../../../src/engine/stats.ts";
import { MemorySink } from "../../support/memory-sink.ts";
import { pgRecord, record } from "../../support/debezium-records.ts";

const TOPIC = "pg.public.customers";

function setup(policy: PoisonPolicy | undefined, withDlq = true) {
  const sink = new MemorySink();
  sink.fault = (e) => {
    if (e.id === "[66]") throw new PoisonError("item_too_large", "too large");
    return Promise.resolve();
  };
  const stats = new Stats();
  const fatal: Error[] = [];
  const warnings: Record<string, unknown>[] = [];
  const published: ClassifiedError[] = [];
  const finished: string[] = [];
  const none = () => undefined;
  const log: Log = {
    info: none,
    error: none,
    debug: none,
    fatal: none,
    warn: (fields: object | string, message?: string) =>
      void warnings.push({ ...(fields as object), message: message ?? "" }),
    child: () => log,
  };
  const observer: RecordObserver = {
    finished: (r, outcome, detail) =>
      void finished.push(
        `${r.offset} ${outcome} ${detail?.skipReason ?? ""} ${detail?.error?.code ?? ""}`.trim(),
      ),
  };
  const processor = new Processor({
    sinkFor: () => sink,
    decodeOptions: () => ({ versionSource: "auto", epoch: 0 }),
    deadLetter: withDlq ? { publish: (_r, e) => Promise.resolve(void published.push(e)) } : undefined,
    poisonPolicy: policy === undefined ? undefined : () => policy,
    limiter: new AdaptiveLimiter(8),
    backoff: { baseMs: 1, maxMs: 2 },
    stats,
    maxBuffered: 10_000,
    flow: { pause: none, resume: none },
    onFatal: (err) => void fatal.push(err),
    log,
    observer,
  });
  processor.assign({ [TOPIC]: [0] });
  return { sink, stats, fatal, warnings, published, finished, processor };
}

const batch = (): KafkaRecord[] => [
  pgRecord({ op: "c", id: 1, lsn: 1 }, 0),
  record({ offset: "1", key: Buffer.from('{"id":2}'), value: Buffer.from("{not json") }),
  pgRecord({ op: "c", id: 66, lsn: 3 }, 2),
  pgRecord({ op: "c", id: 4, lsn: 4 }, 3),
];

const committed = (p: Processor) => p.commitPoints().map((c) => c.offset);

for (const policy of [undefined, "dlq"] as const) {
  test(`dlq (${policy ?? "the default"}): both poison records are published and committed past`, async () => {
    const t = setup(policy);
    t.processor.enqueue(TOPIC, 0, batch());
    assert.ok(await t.processor.drain(5000));
    assert.deepEqual(t.published.map((e) => e.code).sort(), ["item_too_large", "undecodable"]);
    assert.equal(t.stats.total.dead_lettered, 2);
    assert.equal(t.stats.total.applied, 2);
    assert.deepEqual(committed(t.processor), ["4"]);
    assert.equal(t.fatal.length, 0);
  });
}

test("skip: counted as skipped (reason poison), logged with the position, never published", async () => {
  const t = setup("skip", false);
  t.processor.enqueue(TOPIC, 0, batch());
  assert.ok(await t.processor.drain(5000));
  assert.equal(t.published.length, 0);
  assert.equal(t.stats.total.skipped, 2);
  assert.equal(t.stats.total.dead_lettered, 0);
  assert.equal(t.stats.total.applied, 2);
  assert.deepEqual(Object.fromEntries(t.stats.skipReasons), { poison: 2 });
  assert.deepEqual(t.finished.filter((f) => f.includes("skipped")).sort(), [
    "1 skipped poison undecodable",
    "2 skipped poison item_too_large",
  ]);
  const logged = t.warnings.filter((w) => String(w["message"]).startsWith("poison record skipped"));
  assert.deepEqual(logged.map((w) => [w["topic"], w["partition"], w["offset"], w["code"]]).sort(), [
    [TOPIC, 0, "1", "undecodable"],
    [TOPIC, 0, "2", "item_too_large"],
  ]);
  assert.deepEqual(committed(t.processor), ["4"]);
  assert.equal(t.fatal.length, 0);
});

test("stop: fatal poison_stop (exit 4) at the first poison record, even with a DLQ; nothing past it committed", async () => {
  const t = setup("stop", true);
  t.processor.enqueue(TOPIC, 0, batch());
  assert.ok(await t.processor.drain(5000));
  assert.equal(t.published.length, 0);
  assert.ok(t.fatal.length >= 1);
  const f = t.fatal[0];
  assert.ok(f instanceof FatalError);
  assert.equal(f.code, "poison_stop");
  assert.equal(f.exitCode, 4);
  assert.match(f.message, new RegExp(`${TOPIC}/0@[12] `));
  assert.deepEqual(committed(t.processor), ["1"], "only the record before the first poison one");
});

test("dlq without a DLQ stays today's stop: poison_without_dlq", async () => {
  const t = setup("dlq", false);
  t.processor.enqueue(TOPIC, 0, batch());
  assert.ok(await t.processor.drain(5000));
  const f = t.fatal[0];
  assert.ok(f instanceof FatalError);
  assert.equal(f.code, "poison_without_dlq");
});
