// Rebalance-storm detection: more than REBALANCE_STORM_THRESHOLD rebalances within
// REBALANCE_STORM_WINDOW_MS makes the service unready (with the reason) and sets a metric, without
// exiting. Each rebalance revokes every partition and replays from the committed watermark, so a
// group that keeps rebalancing (members crash-looping, a session timeout shorter than a GC pause,
// a deployment rolling forever) makes no progress; restarting this member would add one more
// rebalance to the storm, so the orchestrator is told through readiness instead.

export type StormOptions = {
  readonly threshold: number;
  readonly windowMs: number;
  readonly now?: () => number;
};

export class RebalanceStorm {
  readonly #o: StormOptions;
  readonly #now: () => number;
  #times: number[] = [];

  constructor(options: StormOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Counts one rebalance; true when it started a storm (the count just went over the threshold). */
  record(): boolean {
    const before = this.inStorm;
    this.#times.push(this.#now());
    return !before && this.inStorm;
  }

  /** Rebalances within the window now. */
  get count(): number {
    const since = this.#now() - this.#o.windowMs;
    // Old entries are dropped here, so the list never holds more than the window's rebalances.
    let i = 0;
    while (i < this.#times.length && this.#times[i]! <= since) i++;
    if (i > 0) this.#times = this.#times.slice(i);
    return this.#times.length;
  }

  get inStorm(): boolean {
    return this.count > this.#o.threshold;
  }

  /** The readiness reason while in a storm, else undefined. */
  reason(): string | undefined {
    const n = this.count;
    if (n <= this.#o.threshold) return undefined;
    return (
      `rebalance storm: ${n} rebalances in the last ${Math.round(this.#o.windowMs / 1000)} s ` +
      `(more than REBALANCE_STORM_THRESHOLD=${this.#o.threshold})`
    );
  }
}
