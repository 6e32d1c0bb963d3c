// The store's circuit breaker (src/engine/breaker.ts) as a state machine: what opens it and what
// does not, one probe per interval while open (the interval doubling up to its cap), and closing
// on the first answer. Short real intervals, or node:test's mock clock where a bound is tight; no store.

import assert from "node:assert/strict";
import { test } from "node:test";
import { PoisonError, TransientError } from "../../../src/core/errors.ts";
import { CircuitBreaker, isOutage, type Pass } from "../../../src/engine/breaker.ts";

const refused = () => new TransientError("dynamodb_ECONNREFUSED", "connect ECONNREFUSED");
const http503 = () => new TransientError("dynamodb_ServiceUnavailableException", "503");
const throttled = () => new TransientError("dynamodb_ProvisionedThroughputExceededException", "slow down");
const CLOSED: Pass = { probe: false };

async function settled<T>(p: Promise<T>): Promise<{ value: T } | "pending"> {
  const marker = Symbol("pending");
  const result = await Promise.race([p, new Promise<typeof marker>((r) => setImmediate(() => r(marker)))]);
  return result === marker ? "pending" : { value: result as T };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function breaker(threshold = 3, initial = 40, max = 160) {
  const events: string[] = [];
  const b = new CircuitBreaker(
    { failureThreshold: threshold, probeInitialMs: initial, probeMaxMs: max },
    {
      onOpen: (n, code) => events.push(`open ${n} ${code}`),
      onClose: (_ms, probes) => events.push(`close ${probes}`),
    },
  );
  return { b, events };
}

test("outages are connection errors, 5xx and timeouts; throttling, conflicts and poison are answers", () => {
  assert.ok(isOutage(refused()));
  assert.ok(isOutage(http503()));
  assert.ok(isOutage(new TransientError("dynamodb_http_5xx", "502")));
  assert.ok(isOutage(new TransientError("dynamodb_TimeoutError", "timeout")));
  // A 200 whose body does not parse: cut short on the way, like a reset connection.
  assert.ok(isOutage(new TransientError("dynamodb_unreadable_reply", "HTTP 200 answer that is not JSON")));
  assert.ok(!isOutage(new TransientError("dynamodb_http_429", "429: load shed in front of the store")));
  assert.ok(!isOutage(throttled()));
  assert.ok(!isOutage(new TransientError("dynamodb_ThrottlingException", "x")));
  assert.ok(!isOutage(new TransientError("dynamodb_TransactionConflictException", "x")));
  assert.ok(!isOutage(new PoisonError("dynamodb_ValidationException", "x")));
  assert.ok(!isOutage(new Error("ECONNREFUSED"))); // unclassified: a bug, not the store
});

test("opens after the threshold of outage failures in a row; any answer in between resets the streak", async () => {
  const { b, events } = breaker(3);
  b.failed(CLOSED, refused());
  b.failed(CLOSED, http503());
  b.answered(CLOSED); // one success: the store is up
  b.failed(CLOSED, refused());
  b.failed(CLOSED, refused());
  b.failed(CLOSED, throttled()); // throttling is an answer too
  b.failed(CLOSED, refused());
  b.failed(CLOSED, refused());
  assert.equal(b.open, false);
  assert.deepEqual(await settled(b.admit()), { value: { probe: false } });
  b.failed(CLOSED, refused());
  assert.equal(b.open, true);
  assert.deepEqual(events, ["open 3 dynamodb_ECONNREFUSED"]);
  b.stop();
});

test("while open: nothing passes until the first probe interval, then exactly one probe", async (t) => {
  // The clock is node:test's mock: with a real 40 ms interval a loaded machine let the interval pass
  // before the first "pending" check ran (seen in CI at load 25: the first waiter was already the probe).
  t.mock.timers.enable({ apis: ["setTimeout", "Date"] });
  const { b } = breaker(1, 40, 1000);
  b.failed(CLOSED, refused());
  const waiters = [b.admit(), b.admit(), b.admit()];
  for (const w of waiters) assert.equal(await settled(w), "pending");
  t.mock.timers.tick(39);
  for (const w of waiters) assert.equal(await settled(w), "pending");
  t.mock.timers.tick(1);
  const states = await Promise.all(waiters.map((w) => settled(w)));
  assert.deepEqual(states, [{ value: { probe: true } }, "pending", "pending"]);
  // A new write while the probe is out waits too, however long it is out.
  t.mock.timers.tick(5000);
  assert.equal(await settled(b.admit()), "pending");
  b.stop();
});

test("each failed probe doubles the interval up to the cap; at most one probe per interval", async (t) => {
  // node:test's mock clock: the wall-clock version of this test measured its own start after the
  // breaker had armed its timer, and a loaded CI machine (load 20) saw the first probe "at 16.7 ms"
  // of a 20 ms interval. Here time moves only by tick(), so each bound is exact.
  t.mock.timers.enable({ apis: ["setTimeout", "Date"] });
  const { b } = breaker(1, 20, 80);
  b.failed(CLOSED, refused());
  // Eight writers wait; each probe fails at once, and every other admit keeps waiting.
  const waiters = Array.from({ length: 8 }, () => b.admit());
  const probesAt: number[] = [];
  let now = 0;
  for (const interval of [20, 40, 80, 80, 80]) {
    t.mock.timers.tick(interval - 1);
    now += interval - 1;
    for (const w of waiters) assert.equal(await settled(w), "pending", `a pass before ${interval} ms`);
    t.mock.timers.tick(1);
    now += 1;
    const states = await Promise.all(waiters.map((w) => settled(w)));
    const passed = states.flatMap((s, i) => (s === "pending" ? [] : [i]));
    assert.equal(passed.length, 1, `one probe at ${now} ms, not ${passed.length}`);
    const i = passed[0]!;
    assert.deepEqual(states[i], { value: { probe: true } });
    probesAt.push(now);
    b.failed({ probe: true }, refused());
    waiters[i] = b.admit(); // the writer retries at once and waits again
  }
  assert.deepEqual(probesAt, [20, 60, 140, 220, 300]);
  assert.equal(b.open, true);
  b.stop();
});

test("the first answer closes it and lets every waiter through; a failure sent before the opening is ignored", async () => {
  const { b, events } = breaker(2, 30, 100);
  b.failed(CLOSED, refused());
  b.failed(CLOSED, refused());
  const waiters = [b.admit(), b.admit()];
  b.failed(CLOSED, refused()); // in flight before it opened: no effect on the probe schedule
  await sleep(45);
  const probe = await waiters[0]!;
  assert.deepEqual(probe, { probe: true });
  assert.equal(await settled(waiters[1]!), "pending");
  b.answered(probe);
  assert.equal(b.open, false);
  assert.deepEqual(await settled(waiters[1]!), { value: { probe: false } });
  assert.deepEqual(events, ["open 2 dynamodb_ECONNREFUSED", "close 1"]);
  // Closed again: the streak starts from zero.
  b.failed(CLOSED, refused());
  assert.equal(b.open, false);
});

test("an aborted waiter is answered undefined; a probe not sent after all hands its turn on", async () => {
  const { b } = breaker(1, 20, 100);
  b.failed(CLOSED, refused());
  const ac = new AbortController();
  const gone = b.admit(ac.signal);
  ac.abort();
  assert.deepEqual(await settled(gone), { value: undefined });
  assert.deepEqual(await settled(b.admit(AbortSignal.abort())), { value: undefined });
  const first = b.admit();
  const second = b.admit();
  await sleep(35);
  const pass = await first;
  assert.deepEqual(pass, { probe: true });
  b.cancelled(pass); // shutdown took it before it was sent
  assert.deepEqual(await second, { probe: true });
  b.stop();
});
