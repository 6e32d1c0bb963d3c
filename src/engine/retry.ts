// The only retry policy of the service: what is retried, how long to wait, and which failures mean
// the store is overloaded. Every caller that retries (the processor's writes and dead letters, the
// start-up table check) goes through `retry()`; nothing else loops on errors.
//
// Classification is by the error's class and code, which adapters set once when they translate a
// vendor error (src/adapters/*/errors.ts):
//   TransientError → retried with capped exponential backoff and full jitter (AWS Architecture
//                    Blog, "Exponential Backoff and Jitter": spreads the retries of many writers that
//                    failed together); never skipped, never dead-lettered
//   PoisonError, FatalError → not retried: the caller dead-letters or stops
//   anything else (TypeError, RangeError, …) → a programming error: never retried, rethrown

import type { TransientCode } from "../core/error-codes.ts";
import { TransientError } from "../core/errors.ts";

export type BackoffPolicy = {
  readonly baseMs: number;
  readonly maxMs: number;
  /** Added to every delay: a least wait, for callers that must not hammer (start-up checks). */
  readonly floorMs?: number;
};

// Transient codes that mean the store pushes back (throttling, overload, a slow answer): the
// adaptive in-flight limit halves on them. A connection reset or a transaction conflict is not load.
const PUSHBACK_CODES: ReadonlySet<TransientCode> = new Set<TransientCode>([
  "dynamodb_ProvisionedThroughputExceededException",
  "dynamodb_ThrottlingException",
  "dynamodb_Throttling",
  "dynamodb_RequestLimitExceeded",
  "dynamodb_LimitExceededException",
  "dynamodb_ServiceUnavailable",
  "dynamodb_ServiceUnavailableException",
  "dynamodb_InternalServerError",
  "dynamodb_TimeoutError",
  "dynamodb_RequestTimeout",
  "dynamodb_RequestTimeoutException",
  "dynamodb_http_5xx",
  "dynamodb_http_429",
]);

/** True when a transient error says the store is overloaded (the limiter halves). */
export function isPushback(err: TransientError): boolean {
  return PUSHBACK_CODES.has(err.code);
}

export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return (policy.floorMs ?? 0) + Math.floor(random() * ceiling);
}

/** Sleeps, or resolves early (with false) when the signal aborts. The timer never outlives it. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Thrown by `retry()` when its signal aborted during a wait: the work is handed back, not failed. */
export class RetryAborted extends Error {
  constructor() {
    super("retry aborted");
  }
}

export type RetryOptions = {
  readonly policy: BackoffPolicy;
  readonly signal?: AbortSignal | undefined;
  /** Transient failures tolerated before the last one is rethrown; unbounded when absent. */
  readonly maxAttempts?: number | undefined;
  /** Called before each wait, with the 1-based attempt that failed and the delay chosen. */
  readonly onRetry?: ((err: TransientError, attempt: number, delayMs: number) => void) | undefined;
  readonly random?: (() => number) | undefined;
};

/**
 * Runs `work` until it succeeds or fails with anything but a TransientError. Transient failures
 * wait `backoffDelay` and try again; past `maxAttempts` the last one is rethrown. An aborted signal
 * ends the wait with RetryAborted.
 */
export async function retry<T>(work: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof TransientError)) throw err;
      if (options.maxAttempts !== undefined && attempt + 1 >= options.maxAttempts) throw err;
      const delay = backoffDelay(options.policy, attempt, options.random);
      options.onRetry?.(err, attempt + 1, delay);
      if (!(await sleep(delay, options.signal))) throw new RetryAborted();
    }
  }
}
