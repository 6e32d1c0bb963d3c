// Retrying one record's work while its partition waits: transient errors are retried forever with
// backoff (engine/retry.ts); the partition is paused on the first retry so Kafka stops fetching
// records that could not be written anyway, and resumed when its last retrying record settles.

import { FatalError } from "../core/errors.ts";
import type { KafkaRecord } from "../core/types.ts";
import type { Lease } from "./lease.ts";
import type { AdaptiveLimiter } from "./limiter.ts";
import type { Flow, Log, RecordObserver } from "./ports.ts";
import { RetryAborted, isPushback, retry, type BackoffPolicy } from "./retry.ts";
import type { Stats } from "./stats.ts";

/** Thrown inside a job when shutdown or revocation hands its records back to Kafka. */
export class Released extends Error {}

export type PartitionRetryDeps = {
  readonly backoff: BackoffPolicy;
  readonly signal: AbortSignal;
  readonly stats: Stats;
  readonly limiter: AdaptiveLimiter;
  readonly flow: Flow;
  readonly log: Log;
  readonly observer: RecordObserver;
  readonly onFatal: (err: Error) => void;
};

export class PartitionRetry {
  readonly #d: PartitionRetryDeps;

  constructor(deps: PartitionRetryDeps) {
    this.#d = deps;
  }

  /**
   * Runs `work`, retrying transient errors; throws Released when shutdown aborts the retries or a
   * fatal error stopped the service (reported through onFatal), and rethrows everything else.
   */
  async run<T>(lease: Lease, record: KafkaRecord, work: () => Promise<T>): Promise<T> {
    let paused = false;
    const where = { topic: record.topic, partition: record.partition, offset: record.offset };
    try {
      return await retry(work, {
        policy: this.#d.backoff,
        signal: this.#d.signal,
        onRetry: (err, attempt, delayMs) => {
          this.#d.stats.retry(record.topic, record.partition, err.code);
          if (isPushback(err)) this.#d.limiter.onPushback();
          // A revoked lease's partition is not this record's to pause: a newer lease of this member
          // holds it (its assignment resumed it already, and nothing would resume it after this
          // pause: the finally below skips revoked leases), or another member does.
          if (!paused && !lease.revoked) {
            paused = true;
            if (lease.retrying++ === 0) this.#d.flow.pause(lease.topic, lease.partition);
          }
          this.#d.observer.retrying?.(record, err, attempt, delayMs);
          this.#d.log.warn(
            { ...where, attempt, code: err.code, delayMs },
            `transient error, retrying: ${err.message}`,
          );
        },
      });
    } catch (err) {
      if (err instanceof RetryAborted) throw new Released();
      if (err instanceof FatalError) {
        this.#d.onFatal(err);
        throw new Released();
      }
      throw err;
    } finally {
      if (paused && --lease.retrying === 0 && !lease.pausedForMemory && !lease.revoked)
        this.#d.flow.resume(lease.topic, lease.partition);
    }
  }
}
