// What a write passes before it is sent, in order: the write budget of its topic (write-budget.ts),
// the store's circuit breaker (breaker.ts), then a slot of the adaptive in-flight limit
// (limiter.ts). The write's result is reported back to each: the consumed units to the budget and
// to the stats, an answer or an outage to the breaker, a success to the limiter.

import { TransientError } from "../core/errors.ts";
import type { ChangeEvent, KafkaRecord, WriteOutcome } from "../core/types.ts";
import type { CircuitBreaker, Pass } from "./breaker.ts";
import type { AdaptiveLimiter } from "./limiter.ts";
import { Released } from "./partition-retry.ts";
import type { Sink } from "./ports.ts";
import type { Stats } from "./stats.ts";
import type { WriteBudget } from "./write-budget.ts";

export type WriteGateDeps = {
  readonly limiter: AdaptiveLimiter;
  readonly stats: Stats;
  readonly breaker?: CircuitBreaker | undefined;
  /** The topic's write budget; undefined when its writes are not budgeted. */
  readonly budgetFor?: ((topic: string) => WriteBudget | undefined) | undefined;
};

const SENT_ANYWAY: Pass = { probe: false };

export class WriteGate {
  readonly #d: WriteGateDeps;

  constructor(deps: WriteGateDeps) {
    this.#d = deps;
  }

  /** Sends one write through the gates; throws Released when shutdown came first. */
  async write(
    sink: Sink,
    event: ChangeEvent,
    record: KafkaRecord,
    signal: AbortSignal,
  ): Promise<WriteOutcome> {
    const budget = this.#d.budgetFor?.(record.topic);
    const estimate = budget === undefined ? 0 : (sink.estimateUnits?.(event, record) ?? 1);
    if (budget !== undefined && !(await budget.take(estimate, signal))) throw new Released();
    const breaker = this.#d.breaker;
    let pass: Pass | undefined;
    for (;;) {
      pass = breaker === undefined ? SENT_ANYWAY : await breaker.admit(signal);
      if (pass === undefined || !(await this.#d.limiter.acquire(signal))) {
        if (pass !== undefined) breaker?.cancelled(pass);
        budget?.settle(estimate, 0);
        throw new Released();
      }
      // Passed while the breaker was closed, then waited for a slot while it opened: hand the slot
      // back and wait for the breaker like every later write (else every buffered record that had
      // passed would reach a store that is down, besides the probes).
      if (breaker?.open !== true || pass.probe) break;
      this.#d.limiter.release();
    }
    let consumed: number | undefined;
    try {
      const outcome = await sink.write(event, record, (units) => (consumed = (consumed ?? 0) + units));
      this.#d.limiter.onSuccess();
      breaker?.answered(pass);
      budget?.settle(estimate, consumed ?? estimate);
      if (consumed !== undefined) this.#d.stats.writeUnits(outcome, consumed);
      return outcome;
    } catch (err) {
      breaker?.failed(pass, err);
      // A write that failed transiently (throttled, refused connection) is taken again on its retry.
      budget?.settle(estimate, err instanceof TransientError ? 0 : estimate);
      throw err;
    } finally {
      this.#d.limiter.release();
    }
  }
}
