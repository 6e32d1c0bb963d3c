// An external merge sort of entries by key, so that a table of any size is compared in bounded
// memory: entries are buffered up to `runSize`, sorted, and written to a temporary file as JSON lines;
// reading merges the runs with a small heap. A table that fits in one run never touches the disk.

import { createReadStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

type Keyed = { readonly k: string };

const byKey = (a: Keyed, b: Keyed): number => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0);

export class SortedRuns<T extends Keyed> {
  readonly #runSize: number;
  readonly #parent: string;
  #dir: string | undefined;
  #buffer: T[] = [];
  readonly #runs: string[] = [];
  #flushing: Promise<void> = Promise.resolve();

  constructor(runSize = 50_000, parent = tmpdir()) {
    this.#runSize = runSize;
    this.#parent = parent;
  }

  get runs(): number {
    return this.#runs.length;
  }

  /** Adds one entry; resolves once a full buffer (if any) is on disk, which is the backpressure. */
  async add(entry: T): Promise<void> {
    this.#buffer.push(entry);
    if (this.#buffer.length >= this.#runSize) await this.#flush();
  }

  async #flush(): Promise<void> {
    const batch = this.#buffer;
    this.#buffer = [];
    batch.sort(byKey);
    this.#flushing = this.#flushing.then(async () => {
      this.#dir ??= await mkdtemp(join(this.#parent, "cdc-reconcile-"));
      const file = join(this.#dir, `run-${this.#runs.length}.jsonl`);
      this.#runs.push(file);
      await writeFile(file, batch.map((e) => JSON.stringify(e)).join("\n") + "\n");
    });
    await this.#flushing;
  }

  /** Every entry added, in key order. Call once, after the last add. */
  async *sorted(): AsyncGenerator<T> {
    if (this.#runs.length === 0) {
      yield* this.#buffer.sort(byKey);
      return;
    }
    if (this.#buffer.length > 0) await this.#flush();
    await this.#flushing;
    const readers = this.#runs.map((f) =>
      createInterface({ input: createReadStream(f), crlfDelay: Infinity })[Symbol.asyncIterator](),
    );
    const heap = new MinHeap<{ entry: T; from: number }>((a, b) => byKey(a.entry, b.entry));
    const pull = async (from: number): Promise<void> => {
      const line = await readers[from]!.next();
      if (line.done !== true && line.value !== "") heap.push({ entry: JSON.parse(line.value) as T, from });
    };
    for (let i = 0; i < readers.length; i++) await pull(i);
    for (let top = heap.pop(); top !== undefined; top = heap.pop()) {
      yield top.entry;
      await pull(top.from);
    }
  }

  /** Removes the temporary files. */
  async dispose(): Promise<void> {
    this.#buffer = [];
    if (this.#dir !== undefined) await rm(this.#dir, { recursive: true, force: true });
  }
}

class MinHeap<T> {
  readonly #items: T[] = [];
  readonly #cmp: (a: T, b: T) => number;
  constructor(cmp: (a: T, b: T) => number) {
    this.#cmp = cmp;
  }
  push(item: T): void {
    const a = this.#items;
    a.push(item);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (this.#cmp(a[i]!, a[p]!) >= 0) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.#cmp(a[l]!, a[m]!) < 0) m = l;
        if (r < a.length && this.#cmp(a[r]!, a[m]!) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}
