// /debug/state's view: a partition paused at the client with no retry or memory pause behind it is
// named as stranded (nothing in the engine would resume it), and pauses of partitions not held are
// listed apart.

import assert from "node:assert/strict";
import { test } from "node:test";
import { debugState } from "../../../src/app/debug-state.ts";
import { CircuitBreaker } from "../../../src/engine/breaker.ts";
import { AdaptiveLimiter } from "../../../src/engine/limiter.ts";
import { Processor } from "../../../src/engine/processor.ts";
import { Stats } from "../../../src/engine/stats.ts";
import { createLog } from "../../../src/telemetry/log.ts";
import { MemorySink } from "../../support/memory-sink.ts";

type State = {
  partitions: { partition: number; pausedAtClient: boolean; strandedPause: boolean; pending: number }[];
  pausedNotHeld: string[];
  writes: { inFlight: number; limit: number };
  breaker: { open: boolean; waiting: number };
};

test("a client pause with no reason the engine knows of is stranded; pauses of others are apart", () => {
  const limiter = new AdaptiveLimiter(8);
  const processor = new Processor({
    sinkFor: () => new MemorySink(),
    decodeOptions: () => ({ versionSource: "auto", epoch: 0 }),
    deadLetter: undefined,
    limiter,
    backoff: { baseMs: 1, maxMs: 5 },
    stats: new Stats(),
    maxBuffered: 10_000,
    flow: { pause: () => undefined, resume: () => undefined },
    onFatal: () => undefined,
    log: createLog("silent"),
  });
  processor.assign({ t: [0, 1] });
  const source = { pausedAtClient: () => ["t/0", "t/7"], ready: true, assignment: { t: [0, 1] } };
  const breaker = new CircuitBreaker({ failureThreshold: 3, probeInitialMs: 10, probeMaxMs: 100 });
  const state = debugState(processor, source, limiter, breaker) as State;
  assert.deepEqual(
    state.partitions.map((p) => [p.partition, p.pausedAtClient, p.strandedPause, p.pending]),
    [
      [0, true, true, 0],
      [1, false, false, 0],
    ],
  );
  assert.deepEqual(state.pausedNotHeld, ["t/7"]);
  assert.deepEqual(state.writes, { inFlight: 0, limit: 8 });
  assert.deepEqual(state.breaker.open, false);
});
