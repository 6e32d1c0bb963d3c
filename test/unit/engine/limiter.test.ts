import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { test } from "node:test";
import { AdaptiveLimiter } from "../../../src/engine/limiter.ts";

// Whether a promise has settled, without waiting for it: a pending acquire must stay pending.
async function settled<T>(p: Promise<T>): Promise<{ value: T } | "pending"> {
  const marker = Symbol("pending");
  const result = await Promise.race([p, new Promise<typeof marker>((r) => setImmediate(() => r(marker)))]);
  return result === marker ? "pending" : { value: result as T };
}

// Pushback times far from 0: the limiter starts as if its last decrease was at time 0.
const T0 = 1_000_000;

test("at most `max` slots are held; the next acquire waits for a release", async () => {
  const limiter = new AdaptiveLimiter(3);
  assert.equal(limiter.limit, 3);
  for (let i = 0; i < 3; i++) assert.equal(await limiter.acquire(), true);
  assert.equal(limiter.inFlight, 3);
  const fourth = limiter.acquire();
  assert.equal(await settled(fourth), "pending");
  assert.equal(limiter.inFlight, 3);
  limiter.release();
  assert.deepEqual(await settled(fourth), { value: true });
  assert.equal(limiter.inFlight, 3);
  limiter.release();
  assert.equal(limiter.inFlight, 2);
});

test("a maximum below 1 still allows one write at a time", async () => {
  for (const max of [0, -4]) {
    const limiter = new AdaptiveLimiter(max);
    assert.equal(limiter.limit, 1);
    assert.equal(await limiter.acquire(), true);
    assert.equal(await settled(limiter.acquire()), "pending");
  }
});

test("pushback halves the limit (rounding down, never below 1), at most once per second", () => {
  const limiter = new AdaptiveLimiter(11);
  limiter.onPushback(T0);
  assert.equal(limiter.limit, 5);
  limiter.onPushback(T0 + 999); // the same burst
  assert.equal(limiter.limit, 5);
  limiter.onPushback(T0 + 1000);
  assert.equal(limiter.limit, 2);
  limiter.onPushback(T0 + 2000);
  assert.equal(limiter.limit, 1);
  limiter.onPushback(T0 + 3000);
  assert.equal(limiter.limit, 1);
});

test("the once-per-second window counts from the last decrease, not the last pushback", () => {
  const limiter = new AdaptiveLimiter(16);
  limiter.onPushback(T0);
  limiter.onPushback(T0 + 600); // ignored; must not move the window
  limiter.onPushback(T0 + 1200);
  assert.equal(limiter.limit, 4);
});

test("pushback without a time uses the clock", () => {
  const limiter = new AdaptiveLimiter(8);
  limiter.onPushback();
  assert.equal(limiter.limit, 4);
  limiter.onPushback(); // within the same second
  assert.equal(limiter.limit, 4);
});

test("after pushback the limit grows by one per full window of successes, up to the maximum", () => {
  const limiter = new AdaptiveLimiter(6);
  limiter.onPushback(T0);
  assert.equal(limiter.limit, 3);
  limiter.onSuccess();
  limiter.onSuccess();
  assert.equal(limiter.limit, 3, "a window is `limit` successes");
  limiter.onSuccess();
  assert.equal(limiter.limit, 4);
  for (let i = 0; i < 3; i++) limiter.onSuccess();
  assert.equal(limiter.limit, 4, "the count restarts after each growth");
  limiter.onSuccess();
  assert.equal(limiter.limit, 5);
  for (let i = 0; i < 5; i++) limiter.onSuccess();
  assert.equal(limiter.limit, 6);
  for (let i = 0; i < 100; i++) limiter.onSuccess();
  assert.equal(limiter.limit, 6, "never above the maximum");
});

test("pushback restarts the window of successes", () => {
  const limiter = new AdaptiveLimiter(16);
  limiter.onPushback(T0);
  for (let i = 0; i < 7; i++) limiter.onSuccess(); // one short of a window of 8
  limiter.onPushback(T0 + 1000);
  assert.equal(limiter.limit, 4);
  for (let i = 0; i < 3; i++) limiter.onSuccess();
  assert.equal(limiter.limit, 4, "the 7 successes before the pushback no longer count");
  limiter.onSuccess();
  assert.equal(limiter.limit, 5);
});

test("a lower limit holds back new acquires until enough slots are released", async () => {
  const limiter = new AdaptiveLimiter(4);
  for (let i = 0; i < 4; i++) await limiter.acquire();
  limiter.onPushback(T0);
  assert.equal(limiter.limit, 2);
  const next = limiter.acquire();
  limiter.release();
  limiter.release();
  assert.equal(await settled(next), "pending", "2 in flight at a limit of 2");
  limiter.release();
  assert.deepEqual(await settled(next), { value: true });
  assert.equal(limiter.inFlight, 2);
});

test("growth hands the new slot to a waiter at once", async () => {
  const limiter = new AdaptiveLimiter(4);
  limiter.onPushback(T0);
  await limiter.acquire();
  await limiter.acquire();
  const waiter = limiter.acquire();
  limiter.onSuccess();
  assert.equal(await settled(waiter), "pending");
  limiter.onSuccess();
  assert.equal(limiter.limit, 3);
  assert.deepEqual(await settled(waiter), { value: true });
  assert.equal(limiter.inFlight, 3);
});

test("waiters get freed slots in the order they asked; a newcomer queues behind them", async () => {
  const limiter = new AdaptiveLimiter(1);
  await limiter.acquire();
  const order: number[] = [];
  const waiters = [0, 1, 2].map((i) => limiter.acquire().then((ok) => (order.push(i), ok)));
  limiter.release();
  const late = limiter.acquire().then((ok) => (order.push(3), ok));
  await settled(waiters[0]!);
  assert.deepEqual(order, [0]);
  for (let i = 0; i < 3; i++) limiter.release();
  assert.deepEqual(await Promise.all([...waiters, late]), [true, true, true, true]);
  assert.deepEqual(order, [0, 1, 2, 3]);
  assert.equal(limiter.inFlight, 1);
});

test("thousands of waiters are served in order, and the queue works the same after it empties", async () => {
  const limiter = new AdaptiveLimiter(2);
  for (let round = 0; round < 2; round++) {
    await limiter.acquire();
    await limiter.acquire();
    const order: number[] = [];
    const n = 5000;
    const waiters = Array.from({ length: n }, (_, i) => limiter.acquire().then(() => order.push(i)));
    for (let i = 0; i < n + 2; i++) limiter.release();
    await Promise.all(waiters);
    assert.deepEqual(
      order,
      Array.from({ length: n }, (_, i) => i),
    );
    assert.equal(limiter.inFlight, 0);
  }
});

test("an acquire with an already aborted signal takes no slot", async () => {
  const limiter = new AdaptiveLimiter(2);
  assert.equal(await limiter.acquire(AbortSignal.abort()), false);
  assert.equal(limiter.inFlight, 0);
});

test("aborting while waiting answers false, and the freed slot goes to the next waiter", async () => {
  const limiter = new AdaptiveLimiter(1);
  await limiter.acquire();
  const a = new AbortController();
  const b = new AbortController();
  const first = limiter.acquire(a.signal);
  const second = limiter.acquire(b.signal);
  const third = limiter.acquire();
  a.abort();
  assert.deepEqual(await settled(first), { value: false });
  assert.equal(await settled(second), "pending");
  b.abort();
  assert.deepEqual(await settled(second), { value: false });
  assert.equal(limiter.inFlight, 1);
  limiter.release();
  assert.deepEqual(await settled(third), { value: true });
  assert.equal(limiter.inFlight, 1);
  limiter.release();
  assert.equal(limiter.inFlight, 0, "aborted waiters never held a slot");
});

test("one abort answers every waiter of its signal and no other; one listener per signal", async () => {
  const limiter = new AdaptiveLimiter(1);
  await limiter.acquire();
  const stop = new AbortController();
  const other = new AbortController();
  const stopped = Array.from({ length: 50 }, () => limiter.acquire(stop.signal));
  const kept = limiter.acquire(other.signal);
  const plain = limiter.acquire();
  assert.equal(getEventListeners(stop.signal, "abort").length, 1);
  stop.abort();
  assert.deepEqual(await Promise.all(stopped), Array(50).fill(false));
  assert.equal(getEventListeners(stop.signal, "abort").length, 0);
  assert.equal(await settled(kept), "pending");
  limiter.release();
  assert.deepEqual(await settled(kept), { value: true });
  limiter.release();
  assert.deepEqual(await settled(plain), { value: true });
});

test("an abort after the waiter got its slot changes nothing", async () => {
  const limiter = new AdaptiveLimiter(1);
  await limiter.acquire();
  const controller = new AbortController();
  const waiter = limiter.acquire(controller.signal);
  limiter.release();
  assert.equal(await waiter, true);
  controller.abort();
  assert.equal(limiter.inFlight, 1);
  const next = limiter.acquire();
  limiter.release();
  assert.deepEqual(await settled(next), { value: true });
});
