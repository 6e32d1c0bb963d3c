// The comparison itself, pure: two streams of entries sorted by join key, merged in one pass.
//
//   source row | item           | verdict
//   -----------+----------------+------------------------------------------------------------
//   live       | live, equal    | equal
//   live       | live, unequal  | different (the differing column names)
//   live       | none           | missing
//   live       | tombstone      | deleted_but_live (the sink holds the row as deleted; it is live)
//   none       | tombstone      | equal (a deleted row: a tombstone or no item are both fine)
//   none       | live           | extra (a delete never arrived, or the table was truncated)

import { differingColumns, type Entry } from "./entry.ts";

export const DRIFT_KINDS = ["missing", "extra", "different", "deleted_but_live"] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export type DriftExample = { readonly key: string; readonly columns?: readonly string[] };

export type DriftReport = {
  readonly sourceRows: number;
  readonly items: number;
  readonly tombstones: number;
  readonly equal: number;
  readonly counts: Readonly<Record<DriftKind, number>>;
  /** The first keys of each kind (at most `firstN`), in key order. */
  readonly examples: Readonly<Record<DriftKind, readonly DriftExample[]>>;
  /** Per column, how many rows differ in it. */
  readonly columns: Readonly<Record<string, number>>;
  readonly drift: number;
};

export class Tally {
  readonly #firstN: number;
  sourceRows = 0;
  items = 0;
  tombstones = 0;
  equal = 0;
  readonly #counts: Record<DriftKind, number> = { missing: 0, extra: 0, different: 0, deleted_but_live: 0 };
  readonly #examples: Record<DriftKind, DriftExample[]> = {
    missing: [],
    extra: [],
    different: [],
    deleted_but_live: [],
  };
  readonly #columns = new Map<string, number>();

  constructor(firstN: number) {
    this.#firstN = firstN;
  }

  #drift(kind: DriftKind, key: string, columns?: string[]): void {
    this.#counts[kind]++;
    if (this.#examples[kind].length < this.#firstN)
      this.#examples[kind].push(columns === undefined ? { key } : { key, columns });
  }

  /** One key's verdict, from what each side holds (undefined: nothing). */
  judge(source: Entry | undefined, item: Entry | undefined): void {
    if (source !== undefined) this.sourceRows++;
    if (item !== undefined) {
      this.items++;
      if (item.tomb) this.tombstones++;
    }
    if (source === undefined) {
      if (item === undefined || item.tomb) this.equal++;
      else this.#drift("extra", item.label);
      return;
    }
    if (item === undefined) return this.#drift("missing", source.label);
    if (item.tomb) return this.#drift("deleted_but_live", source.label);
    const columns = differingColumns(source, item);
    if (columns.length === 0) {
      this.equal++;
      return;
    }
    for (const c of columns) this.#columns.set(c, (this.#columns.get(c) ?? 0) + 1);
    this.#drift("different", source.label, columns);
  }

  /** An item that cannot be a row of the table (no key columns): extra, named by its item key. */
  stray(label: string): void {
    this.items++;
    this.#drift("extra", label);
  }

  report(): DriftReport {
    const counts = { ...this.#counts };
    return {
      sourceRows: this.sourceRows,
      items: this.items,
      tombstones: this.tombstones,
      equal: this.equal,
      counts,
      examples: { ...this.#examples },
      columns: Object.fromEntries([...this.#columns].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))),
      drift: DRIFT_KINDS.reduce((n, k) => n + counts[k], 0),
    };
  }
}

async function next<T>(it: AsyncIterator<T>): Promise<T | undefined> {
  const r = await it.next();
  return r.done === true ? undefined : r.value;
}

/**
 * Merges two streams sorted by `k` (JavaScript string order) and judges every key. A key twice on
 * one side is impossible for the source (a primary key) and means two items for one row on the item
 * side (e.g. written under two converter settings): the second is judged as if it stood alone.
 */
export async function mergeCompare(
  source: AsyncIterable<Entry>,
  items: AsyncIterable<Entry>,
  tally: Tally,
): Promise<void> {
  const s = source[Symbol.asyncIterator]();
  const t = items[Symbol.asyncIterator]();
  let a = await next(s);
  let b = await next(t);
  while (a !== undefined || b !== undefined) {
    if (b === undefined || (a !== undefined && a.k < b.k)) {
      tally.judge(a, undefined);
      a = await next(s);
    } else if (a === undefined || b.k < a.k) {
      tally.judge(undefined, b);
      b = await next(t);
    } else {
      tally.judge(a, b);
      a = await next(s);
      b = await next(t);
    }
  }
}
