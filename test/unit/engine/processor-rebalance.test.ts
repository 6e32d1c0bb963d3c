// The processor across a rebalance: what the client is left paused on once the work of an earlier
// generation settles. A partition left paused with nothing of its own in hand never fetches again,
// and nothing in the processor would ever resume it (fault scenario 13 stalled that way).

import assert from "node:assert/strict";
import { test } from "node:test";
import { TransientError } from "../../../src/core/errors.ts";
import { AdaptiveLimiter } from "../../../src/engine/limiter.ts";
import { Processor } from "../../../src/engine/processor.ts";
import type { Flow } from "../../../src/engine/ports.ts";
import { Stats } from "../../../src/engine/stats.ts";
import { createLog } from "../../../src/telemetry/log.ts";
import { MemorySink } from "../../support/memory-sink.ts";
import { pgRecord } from "../../support/debezium-records.ts";
import { waitFor } from "../../support/wait.ts";

const TOPIC = "pg.public.customers";

/** The client's pause state as kafkajs keeps it: a set, and it survives a rebalance. */
class ClientFlow implements Flow {
  readonly paused = new Set<string>();
  pause(topic: string, partition: number): void {
    this.paused.add(`${topic}/${partition}`);
  }
  resume(topic: string, partition: number): void {
    this.paused.delete(`${topic}/${partition}`);
  }
}

function setup(maxBuffered = 10_000) {
  const sink = new MemorySink();
  const stats = new Stats();
  const flow = new ClientFlow();
  const fatal: Error[] = [];
  const processor = new Processor({
    sinkFor: () => sink,
    decodeOptions: () => ({ versionSource: "auto", epoch: 0 }),
    deadLetter: undefined,
    limiter: new AdaptiveLimiter(8),
    backoff: { baseMs: 1, maxMs: 5 },
    stats,
    maxBuffered,
    flow,
    onFatal: (err) => fatal.push(err),
    log: createLog("silent"),
  });
  return { sink, stats, flow, fatal, processor };
}

/** A sink whose first write waits for `fail()` and then fails transiently; later writes succeed. */
function failFirstWriteLater(sink: MemorySink) {
  let fail!: () => void;
  const gate = new Promise<void>((r) => (fail = r));
  const state = { writes: 0 };
  sink.fault = async () => {
    if (++state.writes > 1) return;
    await gate;
    throw new TransientError("dynamodb_ThrottlingException", "injected throttle");
  };
  return { state, fail };
}

test("a write of an earlier generation failing after the rebalance leaves the new lease's partition unpaused", async () => {
  const { sink, flow, fatal, processor } = setup();
  processor.assign({ [TOPIC]: [0] });
  const { state, fail } = failFirstWriteLater(sink);
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 0)]);
  await waitFor(() => state.writes === 1, { timeoutMs: 5_000, intervalMs: 1, message: "write in flight" });
  // A rebalance hands partition 0 back to this member: a new lease, the partition resumed.
  processor.revokeAll();
  processor.assign({ [TOPIC]: [0] });
  assert.deepEqual([...flow.paused], []);
  // Only now does the old generation's write fail, and its retry succeed.
  fail();
  assert.ok(await processor.drain(5_000));
  assert.deepEqual(fatal, []);
  assert.ok(state.writes >= 2, "the write was retried");
  assert.deepEqual([...flow.paused], [], "the new lease's partition is left paused: it never fetches again");
});

test("a write of an earlier generation failing after its partition moved on pauses nothing", async () => {
  const { sink, flow, processor } = setup();
  processor.assign({ [TOPIC]: [0, 1] });
  const { state, fail } = failFirstWriteLater(sink);
  processor.enqueue(TOPIC, 0, [pgRecord({ op: "c", id: 1, lsn: 1 }, 0)]);
  await waitFor(() => state.writes === 1, { timeoutMs: 5_000, intervalMs: 1, message: "write in flight" });
  processor.revokeAll();
  processor.assign({ [TOPIC]: [1] });
  fail();
  assert.ok(await processor.drain(5_000));
  // A pause of a partition this member no longer holds would be kept by kafkajs until a later
  // assignment resumes it: harmless, but the engine has no business pausing what it does not hold.
  assert.deepEqual([...flow.paused], []);
});

test("records handed back after a rebalance count towards resuming from a memory pause", async () => {
  const { sink, stats, flow, fatal, processor } = setup(4);
  processor.assign({ [TOPIC]: [0, 1] });
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  sink.fault = (event) => (event.id === "[1]" ? gate : undefined);
  // Three batches of one key: the first write waits, the two later ones queue behind it.
  for (const lsn of [1, 2, 3]) processor.enqueue(TOPIC, 0, [pgRecord({ op: "u", id: 1, lsn }, lsn - 1)]);
  await waitFor(() => processor.buffered === 3, { timeoutMs: 5_000, intervalMs: 1, message: "in hand" });
  // A rebalance; the new generation's first batch takes the member over the limit: all pause.
  processor.revokeAll();
  processor.assign({ [TOPIC]: [0, 1] });
  processor.enqueue(TOPIC, 1, [
    pgRecord({ op: "c", id: 5, lsn: 5 }, 0),
    pgRecord({ op: "c", id: 6, lsn: 6 }, 1),
  ]);
  assert.deepEqual([...flow.paused].sort(), [`${TOPIC}/0`, `${TOPIC}/1`]);
  await waitFor(() => stats.total.applied === 2, { timeoutMs: 5_000, intervalMs: 1, message: "new writes" });
  // The old write ends (3 → 2 in hand: not below half the limit), the two queued behind it are
  // handed back to Kafka (2 → 0): nothing in hand, nothing left to finish.
  open();
  assert.ok(await processor.drain(5_000));
  assert.deepEqual(fatal, []);
  assert.equal(processor.buffered, 0);
  assert.equal(stats.total.released, 2);
  assert.deepEqual([...flow.paused], [], "paused for memory with nothing in hand: no fetch ever again");
});
