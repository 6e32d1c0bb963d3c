// The write gate's order (src/engine/write-gate.ts): a write that passed the circuit breaker while
// it was closed, and then waited for a slot of the in-flight limit, must not be sent once the
// breaker has opened in the meantime: it waits for the breaker like any other write. Seen in the
// breaker's integration test: 42 writes reached a store that was down, after the opening, besides
// the 6 probes (every buffered record had passed the breaker and sat waiting for a slot).

import assert from "node:assert/strict";
import { test } from "node:test";
import { TransientError } from "../../../src/core/errors.ts";
import type { ChangeEvent, KafkaRecord, WriteOutcome } from "../../../src/core/types.ts";
import { CircuitBreaker } from "../../../src/engine/breaker.ts";
import { AdaptiveLimiter } from "../../../src/engine/limiter.ts";
import type { Sink } from "../../../src/engine/ports.ts";
import type { Stats } from "../../../src/engine/stats.ts";
import { WriteGate } from "../../../src/engine/write-gate.ts";

const refused = () => new TransientError("dynamodb_ECONNREFUSED", "connect ECONNREFUSED");
const flush = () => new Promise((r) => setImmediate(r));

/** A sink whose writes wait until the test settles them, in the order they were sent. */
function heldSink() {
  const sent: { id: string; settle: (err?: Error) => void }[] = [];
  const sink = {
    write: (event: ChangeEvent) =>
      new Promise<WriteOutcome>((resolve, reject) =>
        sent.push({
          id: (event as unknown as { id: string }).id,
          settle: (err) => (err === undefined ? resolve("applied") : reject(err)),
        }),
      ),
  } as unknown as Sink;
  return { sink, sent };
}

test("a write admitted while the breaker was closed is held if it opens before the write gets a slot", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"] });
  const breaker = new CircuitBreaker({ failureThreshold: 1, probeInitialMs: 1000, probeMaxMs: 4000 }, {});
  const gate = new WriteGate({ limiter: new AdaptiveLimiter(1), stats: {} as Stats, breaker });
  const { sink, sent } = heldSink();
  const signal = new AbortController().signal;
  const record = {} as KafkaRecord;
  const first = gate.write(sink, { id: "a" } as unknown as ChangeEvent, record, signal);
  const second = gate.write(sink, { id: "b" } as unknown as ChangeEvent, record, signal);
  await flush();
  assert.deepEqual(
    sent.map((s) => s.id),
    ["a"],
    "b waits for the only slot",
  );
  sent[0]!.settle(refused()); // the store is down: the breaker opens, and the slot is free
  await assert.rejects(first, TransientError);
  await flush();
  assert.equal(breaker.open, true);
  assert.deepEqual(
    sent.map((s) => s.id),
    ["a"],
    "b was sent to a store that is down, past an open breaker",
  );
  t.mock.timers.tick(1000); // the first probe is due: b is it
  await flush();
  assert.deepEqual(
    sent.map((s) => s.id),
    ["a", "b"],
  );
  sent[1]!.settle();
  assert.equal(await second, "applied");
  assert.equal(breaker.open, false);
  breaker.stop();
});
