// Adaptive bound on concurrent writes (AIMD, as TCP does): halve when the store pushes back, grow by
// one after a full window of successes, never above the configured maximum.
//
// Thousands of writes wait here when the store is the bottleneck (up to MAX_BUFFERED_RECORDS), so
// every operation is O(1): waiters sit in an array read from a moving head (Array#shift on a large
// array copies it), a freed slot is handed to the first waiter directly (no re-check race that sends
// it to the back of the queue), and one abort listener per signal serves every waiter
// (EventTarget#addEventListener scans the listeners already there, so one per waiter was O(n²)).

type Waiter = { readonly resolve: (acquired: boolean) => void; readonly signal: AbortSignal | undefined };

export class AdaptiveLimiter {
  #limit: number;
  readonly #max: number;
  #inFlight = 0;
  #successes = 0;
  #lastDecrease = 0;
  #waiters: (Waiter | undefined)[] = [];
  #head = 0;
  readonly #watched = new WeakSet<AbortSignal>();

  constructor(max: number) {
    this.#max = Math.max(1, max);
    this.#limit = this.#max;
  }

  get limit(): number {
    return this.#limit;
  }
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Takes a slot; false when the signal aborted first (the caller then does no work). */
  acquire(signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    if (this.#inFlight < this.#limit && this.#head === this.#waiters.length) {
      this.#inFlight++;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      this.#waiters.push({ resolve, signal });
      this.#watch(signal);
    });
  }

  release(): void {
    this.#inFlight--;
    this.#wake();
  }

  onSuccess(): void {
    if (this.#limit >= this.#max) return;
    if (++this.#successes >= this.#limit) {
      this.#successes = 0;
      this.#limit++;
      this.#wake();
    }
  }

  /** Throttling or overload: halve, at most once per second so one burst counts once. */
  onPushback(now: number = Date.now()): void {
    if (now - this.#lastDecrease < 1000) return;
    this.#lastDecrease = now;
    this.#limit = Math.max(1, Math.floor(this.#limit / 2));
    this.#successes = 0;
  }

  #wake(): void {
    while (this.#inFlight < this.#limit && this.#head < this.#waiters.length) {
      const w = this.#waiters[this.#head];
      this.#waiters[this.#head++] = undefined;
      if (w === undefined) continue; // aborted and already answered
      this.#inFlight++;
      w.resolve(true);
    }
    if (this.#head === this.#waiters.length) {
      this.#waiters = [];
      this.#head = 0;
    } else if (
      // When to compact is memory only: slicing at the head and restarting at 0 is right at any
      // point; without it the answered (undefined) slots only stay in memory until the queue empties.
      // Stryker disable all: equivalent, the compaction threshold only bounds memory (see above)
      this.#head > 1024 &&
      this.#head * 2 > this.#waiters.length
    ) {
      // Stryker restore all
      this.#waiters = this.#waiters.slice(this.#head);
      this.#head = 0;
    }
  }

  #watch(signal: AbortSignal | undefined): void {
    if (signal === undefined || this.#watched.has(signal)) return;
    this.#watched.add(signal);
    signal.addEventListener(
      "abort",
      () => {
        for (let i = this.#head; i < this.#waiters.length; i++) {
          const w = this.#waiters[i];
          if (w?.signal === signal) {
            this.#waiters[i] = undefined;
            w.resolve(false);
          }
        }
      },
      { once: true },
    );
  }
}
