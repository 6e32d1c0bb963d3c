// Outcome counts, per partition and in total. The conservation identity
// consumed = applied + duplicate + stale + skipped + dead_lettered holds for every partition once
// its in-flight records have finished; `released` counts records handed back to Kafka unprocessed
// (shutdown, revocation): they were never consumed and will be delivered again.

import { OUTCOMES, type Outcome } from "../core/types.ts";

export type Counts = Record<Outcome | "consumed" | "released" | "retries", number>;

export function emptyCounts(): Counts {
  const c = { consumed: 0, released: 0, retries: 0 } as Counts;
  for (const o of OUTCOMES) c[o] = 0;
  return c;
}

export type StatsListener = {
  onOutcome?(topic: string, partition: number, outcome: Outcome, count: number): void;
  onRetry?(topic: string, partition: number, code: string): void;
};

export class Stats {
  readonly total: Counts = emptyCounts();
  /** Skipped records by reason (`heartbeat`, `kafka_tombstone`, `poison`…), in total. */
  readonly skipReasons = new Map<string, number>();
  /** Write units consumed (the store's ConsumedCapacity, else the sink's estimate), by outcome. */
  readonly writeUnitsByOutcome = new Map<string, number>();
  readonly #byPartition = new Map<string, Counts>();
  readonly #skipsByPartition = new Map<string, Map<string, number>>();
  /** "topic/partition" → items tombstoned by truncates (TRUNCATE_POLICY=apply). */
  readonly truncatedItems = new Map<string, number>();
  readonly #listener: StatsListener;

  constructor(listener: StatsListener = {}) {
    this.#listener = listener;
  }

  #counts(topic: string, partition: number): Counts {
    const key = `${topic}/${partition}`;
    let c = this.#byPartition.get(key);
    if (c === undefined) this.#byPartition.set(key, (c = emptyCounts()));
    return c;
  }

  consumed(topic: string, partition: number, n = 1): void {
    this.total.consumed += n;
    this.#counts(topic, partition).consumed += n;
  }

  outcome(topic: string, partition: number, outcome: Outcome, n = 1): void {
    this.total[outcome] += n;
    this.#counts(topic, partition)[outcome] += n;
    this.#listener.onOutcome?.(topic, partition, outcome, n);
  }

  /** Why a record counted as skipped was skipped; called beside `outcome(…, skipped)`. */
  skipReason(topic: string, partition: number, reason: string): void {
    this.skipReasons.set(reason, (this.skipReasons.get(reason) ?? 0) + 1);
    const key = `${topic}/${partition}`;
    let m = this.#skipsByPartition.get(key);
    if (m === undefined) this.#skipsByPartition.set(key, (m = new Map<string, number>()));
    m.set(reason, (m.get(reason) ?? 0) + 1);
  }

  /** "topic/partition" → reason → skipped records. */
  skipsByPartition(): ReadonlyMap<string, ReadonlyMap<string, number>> {
    return this.#skipsByPartition;
  }

  /** Items a truncate of this partition tombstoned (engine/truncate.ts), as each page is done. */
  truncated(topic: string, partition: number, items: number): void {
    const key = `${topic}/${partition}`;
    this.truncatedItems.set(key, (this.truncatedItems.get(key) ?? 0) + items);
  }

  /** Write units one write consumed, under the outcome it had (applied, duplicate or stale). */
  writeUnits(outcome: Outcome, units: number): void {
    this.writeUnitsByOutcome.set(outcome, (this.writeUnitsByOutcome.get(outcome) ?? 0) + units);
  }

  released(topic: string, partition: number, n = 1): void {
    this.total.released += n;
    this.#counts(topic, partition).released += n;
  }

  retry(topic: string, partition: number, code: string): void {
    this.total.retries++;
    this.#counts(topic, partition).retries++;
    this.#listener.onRetry?.(topic, partition, code);
  }

  partitions(): ReadonlyMap<string, Counts> {
    return this.#byPartition;
  }
}

/** Records with a final outcome. */
export function finished(c: Counts): number {
  return OUTCOMES.reduce((n, o) => n + c[o], 0);
}

export function summaryLine(c: Counts): string {
  return (
    `consumed=${c.consumed} ${OUTCOMES.map((o) => `${o}=${c[o]}`).join(" ")} released=${c.released} ` +
    `retries=${c.retries}`
  );
}
