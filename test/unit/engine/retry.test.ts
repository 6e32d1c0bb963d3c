import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { test } from "node:test";
import type { TransientCode } from "../../../src/core/error-codes.ts";
import { FatalError, PoisonError, TransientError } from "../../../src/core/errors.ts";
import {
  RetryAborted,
  backoffDelay,
  isPushback,
  retry,
  sleep,
  type BackoffPolicy,
} from "../../../src/engine/retry.ts";

const activeTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

test("the delay ceiling doubles per attempt from baseMs and stops at maxMs", () => {
  const policy = { baseMs: 100, maxMs: 5000 };
  const top = () => 0.999_999; // just under 1: the delay is ceiling - 1
  const expected = [99, 199, 399, 799, 1599, 3199, 4999, 4999, 4999];
  assert.deepEqual(
    expected.map((_, attempt) => backoffDelay(policy, attempt, top)),
    expected,
  );
  assert.equal(backoffDelay(policy, 1_000_000, top), 4999, "no overflow far out");
});

test("full jitter: a delay anywhere from 0 up to the ceiling, as random() says", () => {
  const policy = { baseMs: 100, maxMs: 5000 };
  assert.equal(
    backoffDelay(policy, 3, () => 0),
    0,
  );
  assert.equal(
    backoffDelay(policy, 3, () => 0.5),
    400,
  );
  assert.equal(
    backoffDelay(policy, 3, () => 0.25),
    200,
  );
  assert.equal(
    backoffDelay(policy, 20, () => 0.5),
    2500,
  );
  assert.equal(
    backoffDelay(policy, 2, () => 0.123),
    49,
    "whole milliseconds, rounded down",
  );
});

test("floorMs is added to every delay, the ceiling included", () => {
  const policy = { baseMs: 100, maxMs: 1000, floorMs: 250 };
  assert.equal(
    backoffDelay(policy, 0, () => 0),
    250,
  );
  assert.equal(
    backoffDelay(policy, 1, () => 0.5),
    350,
  );
  assert.equal(
    backoffDelay(policy, 9, () => 0.999_999),
    1249,
  );
});

test("without an injected random, delays stay within the bounds", () => {
  const policy = { baseMs: 8, maxMs: 64, floorMs: 3 };
  for (let i = 0; i < 500; i++) {
    const d = backoffDelay(policy, 2);
    assert.ok(Number.isInteger(d) && d >= 3 && d < 3 + 32, `delay ${d}`);
  }
});

test("pushback: the store's throttling and overload codes, not connection or conflict failures", () => {
  // DynamoDB's throttling and server-side overload errors (AWS SDK names, prefixed by the adapter),
  // and a 5xx answer of no known name.
  const pushback = [
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "Throttling",
    "RequestLimitExceeded",
    "LimitExceededException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalServerError",
    "TimeoutError",
    "RequestTimeout",
    "RequestTimeoutException",
    "http_5xx", // any 5xx answer without a known name
    "http_429", // something in front of the store sheds load
  ].map((name) => `dynamodb_${name}` as TransientCode);
  for (const code of pushback) assert.equal(isPushback(new TransientError(code, "x")), true, code);
  const notPushback: TransientCode[] = [
    "dynamodb_TransactionConflictException",
    "dynamodb_ECONNRESET",
    "dynamodb_network",
    "dynamodb_retryable",
    "dynamodb_unreadable_reply",
    "dlq_publish",
  ];
  for (const code of notPushback) assert.equal(isPushback(new TransientError(code, "x")), false, code);
});

test("sleep waits the given time and answers true", async () => {
  const started = performance.now();
  assert.equal(await sleep(30), true);
  assert.ok(performance.now() - started >= 25);
});

test("sleep with an aborted signal answers false at once and leaves no timer", async () => {
  const before = activeTimers();
  const started = performance.now();
  assert.equal(await sleep(60_000, AbortSignal.abort()), false);
  assert.ok(performance.now() - started < 1000);
  assert.equal(activeTimers(), before);
});

test("an abort during sleep answers false and cancels the timer", async () => {
  const before = activeTimers();
  const controller = new AbortController();
  const slept = sleep(60_000, controller.signal);
  assert.equal(activeTimers(), before + 1);
  controller.abort();
  assert.equal(await slept, false);
  assert.equal(activeTimers(), before, "the timer never outlives the sleep");
  assert.equal(getEventListeners(controller.signal, "abort").length, 0, "nor its abort listener");
});

test("a sleep that ends removes its abort listener", async () => {
  const controller = new AbortController();
  const slept = sleep(5, controller.signal);
  assert.equal(getEventListeners(controller.signal, "abort").length, 1);
  assert.equal(await slept, true);
  assert.equal(getEventListeners(controller.signal, "abort").length, 0);
});

const instant: BackoffPolicy = { baseMs: 1, maxMs: 1 };
const transient = (n: number) => new TransientError("dynamodb_ThrottlingException", `failure ${n}`);
// Work as the store's calls are: a promise, which rejects when the body throws.
const work =
  <T>(body: () => T) =>
  (): Promise<T> =>
    new Promise((resolve) => resolve(body()));

test("transient failures are retried until the work succeeds", async () => {
  let calls = 0;
  const seen: [string, number, number][] = [];
  const result = await retry(
    work(() => {
      if (++calls < 4) throw transient(calls);
      return "done";
    }),
    {
      policy: { baseMs: 10, maxMs: 1000 },
      random: () => 0.5,
      onRetry: (err, attempt, delayMs) => seen.push([err.message, attempt, delayMs]),
    },
  );
  assert.equal(result, "done");
  assert.equal(calls, 4);
  assert.deepEqual(seen, [
    ["failure 1", 1, 5],
    ["failure 2", 2, 10],
    ["failure 3", 3, 20],
  ]);
});

test("the first success ends the loop: no retry, no onRetry", async () => {
  let calls = 0;
  let retries = 0;
  const result = await retry(
    work(() => ++calls),
    { policy: instant, onRetry: () => retries++ },
  );
  assert.equal(result, 1);
  assert.equal(retries, 0);
});

test("maxAttempts bounds the tries and rethrows the last transient failure", async () => {
  for (const maxAttempts of [1, 2, 3]) {
    let calls = 0;
    let retries = 0;
    const last = await retry(
      work(() => {
        throw transient(++calls);
      }),
      { policy: instant, maxAttempts, onRetry: () => retries++ },
    ).catch((err: unknown) => err);
    assert.ok(last instanceof TransientError);
    assert.equal(last.message, `failure ${maxAttempts}`);
    assert.equal(calls, maxAttempts);
    assert.equal(retries, maxAttempts - 1);
  }
});

test("only TransientError is retried: poison, fatal and programming errors rethrown at once", async () => {
  const errors = [
    new PoisonError("invalid_envelope", "bad"),
    new FatalError("table_not_active", "gone", 3),
    new TypeError("oops"),
    new Error("plain"),
  ];
  for (const error of errors) {
    let calls = 0;
    let retries = 0;
    await assert.rejects(
      retry(
        work(() => {
          calls++;
          throw error;
        }),
        { policy: instant, onRetry: () => retries++ },
      ),
      (err) => err === error,
    );
    assert.equal(calls, 1, error.name);
    assert.equal(retries, 0);
  }
  // A transient failure first, then a poison one: the poison ends it.
  let calls = 0;
  const poison = new PoisonError("invalid_value", "bad");
  await assert.rejects(
    retry(
      work(() => {
        if (++calls === 1) throw transient(1);
        throw poison;
      }),
      { policy: instant },
    ),
    (err) => err === poison,
  );
  assert.equal(calls, 2);
});

test("an abort during the wait ends retry with RetryAborted and no further try", async () => {
  const controller = new AbortController();
  let calls = 0;
  const before = activeTimers();
  const running = retry(
    work(() => {
      calls++;
      throw transient(calls);
    }),
    {
      policy: { baseMs: 60_000, maxMs: 60_000 },
      random: () => 0.5,
      signal: controller.signal,
      onRetry: () => setImmediate(() => controller.abort()),
    },
  );
  await assert.rejects(running, RetryAborted);
  assert.equal(calls, 1);
  assert.equal(activeTimers(), before);
});

test("with the signal already aborted, a transient failure ends at once with RetryAborted", async () => {
  let calls = 0;
  await assert.rejects(
    retry(
      work(() => {
        calls++;
        throw transient(calls);
      }),
      { policy: { baseMs: 60_000, maxMs: 60_000 }, signal: AbortSignal.abort() },
    ),
    RetryAborted,
  );
  assert.equal(calls, 1);
});
