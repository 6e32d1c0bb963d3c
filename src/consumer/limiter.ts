// Adaptive bound on concurrent writes (AIMD, as TCP does): halve when the store pushes back, grow by
// one after a full window of successes, never above the configured maximum.

type Waiter = { readonly resolve: () => void; readonly signal: AbortSignal | undefined };

export class AdaptiveLimiter {
  #limit: number;
  readonly #max: number;
  #inFlight = 0;
  #successes = 0;
  #lastDecrease = 0;
  #waiters: Waiter[] = [];

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
  async acquire(signal?: AbortSignal): Promise<boolean> {
    while (this.#inFlight >= this.#limit) {
      if (signal?.aborted) return false;
      await new Promise<void>((resolve) => {
        this.#waiters.push({ resolve, signal });
        signal?.addEventListener("abort", () => resolve(), { once: true });
      });
    }
    if (signal?.aborted) return false;
    this.#inFlight++;
    return true;
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
    let free = this.#limit - this.#inFlight;
    while (free > 0 && this.#waiters.length > 0) {
      const w = this.#waiters.shift()!;
      if (w.signal?.aborted) continue;
      w.resolve();
      free--;
    }
  }
}
