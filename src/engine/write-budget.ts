// A token bucket on DynamoDB write capacity (MAX_WRITE_UNITS_PER_SECOND, a route's
// maxWriteUnitsPerSecond): a write takes its estimated units before it is sent, and the reply's
// ConsumedCapacity corrects the estimate afterwards. So a replay — where every refused duplicate
// still costs write units (DynamoDB charges a failed conditional write like a successful one) — is
// slowed by the sink, not by DynamoDB throttling the table's other users first.
//
// The bucket holds at most a fiftieth of a second of units and starts empty, so in any second at
// most rate × 1.02 units (plus one write's correction) are started. A write larger than the bucket
// waits for a full bucket and leaves it in debt, so the long-run rate still holds. Waiters are
// served in order (a large write is never starved by small ones), with one timer for the head.

import { sleep } from "./retry.ts";

type Waiter = { readonly units: number; readonly resolve: (taken: boolean) => void };

export class WriteBudget {
  readonly rate: number;
  readonly #capacity: number;
  readonly #now: () => number;
  #tokens = 0;
  #at: number;
  #queue: Waiter[] = [];
  #timer: AbortController | undefined;

  /** `rate` units per second; `now` in milliseconds (performance.now by default). */
  constructor(rate: number, now: () => number = () => performance.now()) {
    if (!(rate > 0)) throw new RangeError("a write budget needs a positive rate");
    this.rate = rate;
    this.#capacity = Math.max(1, rate / 50);
    this.#now = now;
    this.#at = now();
  }

  /** Units available now (negative while in debt). */
  get tokens(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Waits until `units` may be spent and spends them; false when the signal aborted first. */
  take(units: number, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    if (this.#queue.length === 0 && this.#tryTake(units)) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = { units, resolve };
      this.#queue.push(waiter);
      signal?.addEventListener(
        "abort",
        () => {
          const i = this.#queue.indexOf(waiter);
          if (i < 0) return;
          this.#queue.splice(i, 1);
          resolve(false);
          if (i === 0) this.#arm();
        },
        { once: true },
      );
      if (this.#queue.length === 1) this.#arm();
    });
  }

  /**
   * What the store reported for a write that took `estimated`: the difference is given back or
   * charged (a charge may put the bucket in debt, slowing the next writes).
   */
  settle(estimated: number, consumed: number): void {
    this.#refill();
    this.#tokens = Math.min(this.#capacity, this.#tokens + estimated - consumed);
    if (this.#queue.length > 0) this.#arm();
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + ((now - this.#at) * this.rate) / 1000);
    this.#at = now;
  }

  #tryTake(units: number): boolean {
    this.#refill();
    // A write larger than the whole bucket goes once the bucket is full (it leaves it in debt).
    if (this.#tokens < Math.min(units, this.#capacity)) return false;
    this.#tokens -= units;
    return true;
  }

  /** One timer, for the head of the queue: when the bucket will hold what it needs. */
  #arm(): void {
    this.#timer?.abort();
    this.#timer = undefined;
    while (this.#queue.length > 0 && this.#tryTake(this.#queue[0]!.units)) this.#queue.shift()!.resolve(true);
    if (this.#queue.length === 0) return;
    const need = Math.min(this.#queue[0]!.units, this.#capacity) - this.#tokens;
    const timer = new AbortController();
    this.#timer = timer;
    void sleep(Math.max(1, Math.ceil((need * 1000) / this.rate)), timer.signal).then((fired) => {
      if (fired && this.#timer === timer) this.#arm();
    });
  }
}

/** DynamoDB's write units of one item: 1 per started KB, at least 1; a transactional write costs 2×. */
export function writeUnits(itemBytes: number, transactional: boolean): number {
  const units = Math.max(1, Math.ceil(itemBytes / 1024));
  return transactional ? units * 2 : units;
}
