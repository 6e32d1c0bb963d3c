// Per-partition progress: the contiguous watermark. Kafka's committed offset means "the next record
// to read", so we commit the offset of the first record without a final outcome (or last + 1 when
// every registered record is final). Records finish out of order (different keys are written
// concurrently); the commit never passes one that has not finished.

type Entry = { readonly offset: bigint; done: boolean };

export class Watermark {
  #entries: Entry[] = [];
  #head = 0;
  #index = new Map<bigint, Entry>();
  #last: bigint | undefined;
  #advancedAt = Date.now();

  /** Registers a fetched offset; offsets of one partition arrive in increasing order. */
  register(offset: string): boolean {
    const o = BigInt(offset);
    if (this.#last !== undefined && o <= this.#last) return false;
    if (this.#index.size === 0) this.#advancedAt = Date.now();
    const entry = { offset: o, done: false };
    this.#entries.push(entry);
    this.#index.set(o, entry);
    this.#last = o;
    return true;
  }

  complete(offset: string): void {
    const entry = this.#index.get(BigInt(offset));
    if (entry === undefined || entry.done) return;
    entry.done = true;
    this.#index.delete(entry.offset);
    const head = this.#head;
    while (this.#head < this.#entries.length && this.#entries[this.#head]!.done) this.#head++;
    if (this.#head !== head) this.#advancedAt = Date.now();
    if (
      // When to compact is memory only: slicing at the head and restarting at 0 is right at any
      // point; without it the finished entries only stay in memory. (Dropping the slice but not the
      // restart at 0 is not: committable() would go back to a finished offset.)
      // Stryker disable all: equivalent, the compaction threshold only bounds memory (see above)
      this.#head > 1024 &&
      this.#head * 2 > this.#entries.length
    ) {
      // Stryker restore all
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The offset to commit (next to read), or undefined before anything was registered. */
  committable(): string | undefined {
    if (this.#head < this.#entries.length) return this.#entries[this.#head]!.offset.toString();
    return this.#last === undefined ? undefined : (this.#last + 1n).toString();
  }

  /**
   * Since when the watermark has stood still with records waiting (undefined when none wait): a
   * write that never resolves shows here even while other partitions make progress.
   */
  stalledSince(): number | undefined {
    return this.#index.size === 0 ? undefined : this.#advancedAt;
  }

  /** Registered records without a final outcome. */
  get pending(): number {
    return this.#index.size;
  }
}
