// The processor under inputs and events that once stalled it or kept the test process alive.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { ClassifiedError } from "../../../src/core/errors.ts";
import type { KafkaRecord } from "../../../src/core/types.ts";
import { AdaptiveLimiter } from "../../../src/engine/limiter.ts";
import { Processor } from "../../../src/engine/processor.ts";
import type { DeadLetter } from "../../../src/engine/ports.ts";
import { Stats, finished } from "../../../src/engine/stats.ts";
import { createLog } from "../../../src/telemetry/log.ts";
import { MemorySink } from "../../support/memory-sink.ts";
import { pgRecord, record } from "../../support/debezium-records.ts";
import { waitFor } from "../../support/wait.ts";

type Published = { record: KafkaRecord; error: ClassifiedError };

function setup(decode?: ConstructorParameters<typeof Processor>[0]["decode"]) {
  const sink = new MemorySink();
  const stats = new Stats();
  const published: Published[] = [];
  const fatal: Error[] = [];
  const deadLetter: DeadLetter = {
    publish: (r, error) => Promise.resolve(void published.push({ record: r, error })),
  };
  const processor = new Processor({
    sinkFor: () => sink,
    decodeOptions: () => ({ versionSource: "auto", epoch: 0 }),
    ...(decode === undefined ? {} : { decode }),
    deadLetter,
    limiter: new AdaptiveLimiter(8),
    backoff: { baseMs: 1, maxMs: 5 },
    stats,
    maxBuffered: 10_000,
    flow: { pause: () => undefined, resume: () => undefined },
    onFatal: (err) => fatal.push(err),
    log: createLog("silent"),
  });
  processor.assign({ "pg.public.customers": [0] });
  return { sink, stats, published, fatal, processor };
}

// A schema-wrapped VariableScaleDecimal whose scale is absurd: decoding it threw a RangeError that
// escaped enqueue(), left the batch's earlier records registered but never scheduled, and stalled
// the partition's commit for good.
const hugeScale = Buffer.from(
  JSON.stringify({
    schema: {
      type: "struct",
      fields: [
        { field: "op", type: "string" },
        {
          field: "after",
          type: "struct",
          fields: [
            { field: "id", type: "int32" },
            { field: "amount", type: "struct", name: "io.debezium.data.VariableScaleDecimal" },
          ],
        },
      ],
    },
    payload: {
      op: "c",
      after: { id: 2, amount: { scale: 1e9, value: "AQ==" } },
      source: { connector: "postgresql", lsn: 2, sequence: '[null,"2"]', table: "customers" },
    },
  }),
);

test("a record whose decoding throws anything is poison: dead-lettered, later records applied", async () => {
  const { stats, published, fatal, processor } = setup();
  processor.enqueue("pg.public.customers", 0, [
    pgRecord({ op: "c", id: 1, lsn: 1 }, 0),
    record({ offset: "1", key: Buffer.from('{"id":2}'), value: hugeScale }),
    pgRecord({ op: "c", id: 3, lsn: 3 }, 2),
  ]);
  assert.ok(await processor.drain(5_000));
  assert.deepEqual(fatal, []);
  assert.equal(published.length, 1);
  assert.equal(published[0]!.record.offset, "1");
  assert.deepEqual([stats.total.applied, stats.total.dead_lettered], [2, 1]);
  assert.equal(processor.commitPoints()[0]?.offset, "3");
});

test("whatever the decoder throws, the record is poison with its cause kept", async () => {
  const { published, fatal, processor } = setup(() => {
    throw new RangeError("Maximum call stack size exceeded");
  });
  processor.enqueue("pg.public.customers", 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 0)]);
  assert.ok(await processor.drain(5_000));
  assert.deepEqual(fatal, []);
  assert.equal(published[0]?.error.code, "decode_failed");
  assert.ok(published[0]?.error.cause instanceof RangeError);
  assert.equal(processor.commitPoints()[0]?.offset, "1");
});

test("a revoked partition's queued records are handed back, never written, and never committed", async () => {
  const { sink, stats, processor } = setup();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let writing = 0;
  sink.fault = () => {
    writing++;
    return gate;
  };
  // Two batches of one key: the second waits on the key's chain behind the first, gated, write.
  processor.enqueue("pg.public.customers", 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 0)]);
  processor.enqueue("pg.public.customers", 0, [pgRecord({ op: "u", id: 1, lsn: 2 }, 1)]);
  await waitFor(() => writing === 1, { timeoutMs: 5_000, intervalMs: 1, message: "first write in flight" });
  // A rebalance: partition 0 now belongs to another member.
  processor.assign({ "pg.public.customers": [1] });
  release();
  assert.ok(await processor.drain(5_000));
  assert.equal(stats.total.released, 1, "the queued record is handed back to Kafka");
  assert.ok(!sink.applied.some((a) => a.endsWith(":1:00000000000000000002")), "it was not written");
  assert.deepEqual(
    processor.commitPoints().filter((p) => p.partition === 0),
    [],
  );
  assert.equal(finished(stats.total) + stats.total.released, stats.total.consumed);
});

test("drain() leaves no timer behind once the work has settled", async () => {
  const { processor } = setup();
  processor.enqueue("pg.public.customers", 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 0)]);
  const before = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  assert.ok(await processor.drain(60_000));
  await waitFor(() => true);
  const after = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  assert.ok(after <= before, `timers before ${before}, after ${after}: drain's deadline timer leaked`);
});
