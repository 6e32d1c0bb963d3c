// Where each partition stands for the confluent adapter, kept by the adapter because the package's
// own pause cannot be trusted with it (1.10.1, #pauseInternal): a pause drops the partition's
// prefetched messages and seeks back only to an offset the package remembers
// (#lastConsumedOffsets + 1), which it forgets at every seek, its own included, and keeps across a
// revoke. So a second pause without a batch between, or a first one before any batch, skipped what
// had been prefetched (measured: 424 of 2,500 keys lost after a restart with
// MAX_BUFFERED_RECORDS=500, the offsets committed past them), and a pause after a reassignment
// sought past uncommitted records. The adapter therefore seeks every pause itself, to the offset
// this bookkeeping gives. Pure: no package calls here.

/** What to do with a batch that came: hand it over, or hold it back (pausing first if `pauseAt`). */
export type BatchVerdict = { hand: true } | { hand: false; pauseAt?: bigint };

export class Positions {
  /** Per partition handed out in this assignment: its first offset, then each acknowledged commit. */
  readonly #from = new Map<string, bigint>();
  /** Per partition handed out in this assignment: the offset after its last record handed out. */
  readonly #next = new Map<string, bigint>();
  /** Partitions the engine paused, and those of them the package was told to pause. */
  readonly #held = new Set<string>();
  readonly #told = new Set<string>();

  /**
   * A batch of `key` from `first` to `last`. A held partition's batch is held back, left unresolved
   * so it is read again from its first offset on resume; if the package was not told to pause yet
   * (paused before its first batch), it pauses at that first offset, its position known only now.
   */
  batch(key: string, first: bigint, last: bigint): BatchVerdict {
    if (this.#held.has(key)) {
      if (this.#told.has(key)) return { hand: false };
      this.#told.add(key);
      return { hand: false, pauseAt: first };
    }
    if (!this.#from.has(key)) this.#from.set(key, first);
    this.#next.set(key, last + 1n);
    return { hand: true };
  }

  /**
   * The engine pauses `key`: the offset to pause it at now (after the last record handed out), or
   * undefined when it waits for its first batch (see batch) or was told already.
   */
  pause(key: string): bigint | undefined {
    this.#held.add(key);
    const next = this.#next.get(key);
    if (next === undefined || this.#told.has(key)) return undefined;
    this.#told.add(key);
    return next;
  }

  resume(key: string): void {
    this.#held.delete(key);
    this.#told.delete(key);
  }

  committed(key: string, offset: bigint): void {
    const from = this.#from.get(key);
    if (from !== undefined && offset > from) this.#from.set(key, offset);
  }

  /** A revoke: forgets `key`; returns where this member knows the group stands, if it read any. */
  forget(key: string): bigint | undefined {
    const from = this.#from.get(key);
    this.#from.delete(key);
    this.#next.delete(key);
    this.#held.delete(key);
    this.#told.delete(key);
    return from;
  }
}
