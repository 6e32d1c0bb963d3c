// The processor's preparation step (ProcessorDeps.prepare, used for Avro schemas from a registry):
// records wait for it before decoding, its transient failures are retried with the partition
// paused, later batches of the partition wait behind it, and a stop hands the waiting records back.

import assert from "node:assert/strict";
import { test } from "node:test";
import { FatalError, TransientError, ExitCode } from "../../../src/core/errors.ts";
import type { KafkaRecord } from "../../../src/core/types.ts";
import { AdaptiveLimiter } from "../../../src/engine/limiter.ts";
import { Processor, type ProcessorDeps } from "../../../src/engine/processor.ts";
import { Stats } from "../../../src/engine/stats.ts";
import { createLog } from "../../../src/telemetry/log.ts";
import { MemorySink } from "../../support/memory-sink.ts";
import { pgRecord } from "../../support/debezium-records.ts";
import { waitFor } from "../../support/wait.ts";

const TOPIC = "pg.public.customers";
const quick = { timeoutMs: 5000, intervalMs: 1 };

function setup(prepare: ProcessorDeps["prepare"]) {
  const sink = new MemorySink();
  const stats = new Stats();
  const flowCalls: string[] = [];
  const fatal: Error[] = [];
  const written: string[] = [];
  sink.fault = (e) => void written.push(e.version.slice(-1));
  const processor = new Processor({
    sinkFor: () => sink,
    decodeOptions: () => ({ versionSource: "auto", epoch: 0 }),
    prepare,
    deadLetter: { publish: () => Promise.resolve() },
    limiter: new AdaptiveLimiter(8),
    backoff: { baseMs: 1, maxMs: 2 },
    stats,
    maxBuffered: 10_000,
    flow: {
      pause: (t, p) => flowCalls.push(`pause ${t}/${p}`),
      resume: (t, p) => flowCalls.push(`resume ${t}/${p}`),
    },
    onFatal: (err) => fatal.push(err),
    log: createLog("silent"),
  });
  processor.assign({ [TOPIC]: [0] });
  flowCalls.length = 0;
  return { stats, flowCalls, fatal, written, processor };
}

test("nothing to prepare: records decode at once, without a promise in between", () => {
  const { processor, stats } = setup(() => undefined);
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 0)]);
  // Decoded synchronously: the write is already scheduled (buffered, not skipped or dead-lettered).
  assert.equal(processor.buffered, 1);
  assert.equal(stats.total.dead_lettered, 0);
});

test("transient failures of the preparation are retried with the partition paused, then the records apply in order", async () => {
  let failures = 3;
  const asked: string[][] = [];
  const { processor, flowCalls, written, stats, fatal } = setup((records) => {
    asked.push(records.map((r) => r.offset));
    if (failures === 0) return undefined;
    failures--;
    return Promise.reject(new TransientError("schema_registry_unavailable", "registry down"));
  });
  processor.enqueue(TOPIC, 0, [
    pgRecord({ op: "c", id: 1, lsn: 1 }, 0),
    pgRecord({ op: "u", id: 1, lsn: 2 }, 1),
  ]);
  // A second batch while the first waits: it must not overtake it.
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "u", id: 1, lsn: 3 }, 2)]);
  await waitFor(() => stats.total.applied + stats.total.stale + stats.total.duplicate === 3, quick);
  assert.deepEqual(fatal, []);
  assert.deepEqual(flowCalls, [`pause ${TOPIC}/0`, `resume ${TOPIC}/0`]);
  assert.equal(stats.total.retries, 3);
  // The first batch was asked for 4 times (3 failures), the second once, after it.
  assert.deepEqual(asked, [["0", "1"], ["0", "1"], ["0", "1"], ["0", "1"], ["2"]]);
  assert.deepEqual(
    written,
    ["2", "3"],
    "within the first batch only the newest is written; then the next batch",
  );
  assert.deepEqual(processor.commitPoints(), [{ topic: TOPIC, partition: 0, offset: "3" }]);
});

test("a stop while the preparation is retried hands the waiting records back, uncommitted", async () => {
  const { processor, stats } = setup(() => Promise.reject(new TransientError("schema_not_found", "not yet")));
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 0)]);
  await waitFor(() => stats.total.retries > 0, quick);
  processor.stop();
  assert.ok(await processor.drain(5000));
  assert.equal(processor.buffered, 0);
  assert.equal(stats.total.applied, 0);
  assert.deepEqual(
    processor.commitPoints(),
    [{ topic: TOPIC, partition: 0, offset: "0" }],
    "nothing past it",
  );
});

test("a fatal error of the preparation stops the service and commits nothing past it", async () => {
  const fatalError = new FatalError("schema_registry_auth", "refused", ExitCode.fatal);
  const { processor, fatal, stats } = setup((records: readonly KafkaRecord[]) =>
    records.length > 0 ? Promise.reject(fatalError) : undefined,
  );
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 0)]);
  await waitFor(() => fatal.length === 1, quick);
  assert.equal(fatal[0], fatalError);
  assert.ok(await processor.drain(5000));
  assert.equal(stats.total.applied, 0);
  assert.deepEqual(
    processor.commitPoints(),
    [{ topic: TOPIC, partition: 0, offset: "0" }],
    "nothing past it",
  );
});
