// A circuit breaker on the store, shared by every partition. Each partition retries its own
// records (engine/partition-retry.ts); when the store itself is down, that is every partition
// hammering a dead endpoint with MAX_IN_FLIGHT requests on each backoff. So:
//   closed → open:  BREAKER_FAILURE_THRESHOLD outage failures in a row with no answer from the store
//                   in between (any answer — a success, a refused condition, throttling — proves it
//                   up and resets the streak). Outage failures are connection errors, 5xx and
//                   timeouts; throttling is not an outage, it keeps the limiter's AIMD (limiter.ts).
//   open:           no write is sent; one write is let through as a probe, the first after
//                   BREAKER_PROBE_INITIAL_MS, then at an interval that doubles up to BREAKER_PROBE_MAX_MS.
//   open → closed:  the store answers (the probe, or a write that was already in flight).
// Nothing is committed past a record that waits here: it has no outcome, so its watermark holds.

import type { TransientCode } from "../core/error-codes.ts";
import { TransientError } from "../core/errors.ts";

// Transient codes that mean the store did not answer at all, or answered that it is broken
// (connection refused or reset, 5xx, timeouts, a success cut short). Throttling and conflicts are
// answers.
const OUTAGE_CODES: ReadonlySet<string> = new Set<TransientCode>([
  "dynamodb_network",
  "dynamodb_http_5xx",
  "dynamodb_unreadable_reply",
  "dynamodb_InternalServerError",
  "dynamodb_InternalFailure",
  "dynamodb_ServiceUnavailable",
  "dynamodb_ServiceUnavailableException",
  "dynamodb_TimeoutError",
  "dynamodb_RequestTimeout",
  "dynamodb_RequestTimeoutException",
  "dynamodb_AbortError",
  "dynamodb_ECONNREFUSED",
  "dynamodb_ECONNRESET",
  "dynamodb_ETIMEDOUT",
  "dynamodb_EPIPE",
  "dynamodb_EHOSTUNREACH",
  "dynamodb_ENETUNREACH",
  "dynamodb_EAI_AGAIN",
  "dynamodb_ENOTFOUND",
  "dynamodb_ERR_STREAM_PREMATURE_CLOSE",
  "dynamodb_ECONNABORTED",
]);

/** True when an error says the store is unreachable or broken, not merely busy. */
export function isOutage(err: unknown): boolean {
  return err instanceof TransientError && OUTAGE_CODES.has(err.code);
}

export type BreakerOptions = {
  readonly failureThreshold: number;
  readonly probeInitialMs: number;
  readonly probeMaxMs: number;
  readonly now?: () => number;
};

export type BreakerListener = {
  onOpen?(failures: number, code: string): void;
  onClose?(openMs: number, probes: number): void;
  onProbe?(intervalMs: number): void;
};

/** What admit() hands back: report the write's result through it exactly once. */
export type Pass = { readonly probe: boolean };

type Waiter = { readonly resolve: (pass: Pass | undefined) => void };

export class CircuitBreaker {
  readonly #o: BreakerOptions;
  readonly #listener: BreakerListener;
  readonly #now: () => number;
  #streak = 0;
  #openedAt: number | undefined;
  #interval = 0;
  #nextProbeAt = 0;
  #probing = false;
  #probes = 0;
  #waiters: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(options: BreakerOptions, listener: BreakerListener = {}) {
    this.#o = options;
    this.#listener = listener;
    this.#now = options.now ?? Date.now;
  }

  get open(): boolean {
    return this.#openedAt !== undefined;
  }

  /** When the breaker opened (ms, the clock's), or undefined while closed. */
  get openedAt(): number | undefined {
    return this.#openedAt;
  }

  /** Writes waiting for the breaker to close. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Resolves when the write may be sent: at once while closed; while open, when it is the probe or
   * the breaker closed. Undefined when the signal aborted first.
   */
  admit(signal?: AbortSignal): Promise<Pass | undefined> {
    if (signal?.aborted) return Promise.resolve(undefined);
    if (!this.open) return Promise.resolve({ probe: false });
    if (this.#probeDue()) return Promise.resolve(this.#startProbe());
    return new Promise((resolve) => {
      const waiter: Waiter = { resolve };
      this.#waiters.push(waiter);
      signal?.addEventListener(
        "abort",
        () => {
          const i = this.#waiters.indexOf(waiter);
          if (i >= 0) this.#waiters.splice(i, 1);
          resolve(undefined);
        },
        { once: true },
      );
      this.#arm();
    });
  }

  /** The store answered (success, a refused condition, throttling, a poison refusal). */
  answered(pass: Pass): void {
    this.#streak = 0;
    if (pass.probe) this.#probing = false;
    if (!this.open) return;
    const openMs = this.#now() - this.#openedAt!;
    const probes = this.#probes;
    this.#openedAt = undefined;
    this.#clear();
    for (const w of this.#waiters.splice(0)) w.resolve({ probe: false });
    this.#listener.onClose?.(openMs, probes);
  }

  /** The write failed without an answer from the store (`err` decides whether it is an outage). */
  failed(pass: Pass, err: unknown): void {
    if (!isOutage(err)) return this.answered(pass);
    if (pass.probe) {
      this.#probing = false;
      this.#interval = Math.min(this.#o.probeMaxMs, this.#interval * 2);
      this.#nextProbeAt = this.#now() + this.#interval;
      this.#arm();
      return;
    }
    if (this.open) return; // sent before it opened: already counted in
    if (++this.#streak < this.#o.failureThreshold) return;
    this.#openedAt = this.#now();
    this.#probes = 0;
    this.#interval = this.#o.probeInitialMs;
    this.#nextProbeAt = this.#openedAt + this.#interval;
    this.#listener.onOpen?.(this.#streak, (err as TransientError).code);
    this.#arm();
  }

  /** The write was not sent after all (shutdown): a probe slot is handed on. */
  cancelled(pass: Pass): void {
    if (!pass.probe) return;
    this.#probing = false;
    this.#arm();
  }

  /** Stops the timer (shutdown); waiters are answered by their signals. */
  stop(): void {
    this.#clear();
  }

  #probeDue(): boolean {
    return !this.#probing && this.#now() >= this.#nextProbeAt;
  }

  #startProbe(): Pass {
    this.#probing = true;
    this.#probes++;
    this.#listener.onProbe?.(this.#interval);
    return { probe: true };
  }

  #arm(): void {
    this.#clear();
    if (!this.open || this.#probing || this.#waiters.length === 0) return;
    const delay = Math.max(0, this.#nextProbeAt - this.#now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.open || this.#waiters.length === 0) return;
      if (!this.#probeDue()) return this.#arm();
      this.#waiters.shift()!.resolve(this.#startProbe());
    }, delay);
    this.#timer.unref();
  }

  #clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
