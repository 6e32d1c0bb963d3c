// Counts of outcomes, per poison code, with the first keys of each: the summary of `run --dry-run`
// and `dlq redrive`. Pure.

export type Summary = {
  counts: Record<string, number>;
  poisonCodes: Record<string, number>;
  /** The first few item keys (or topic/partition@offset where there is no key) of each outcome. */
  first: Record<string, string[]>;
};

export class Tally {
  readonly #firstN: number;
  readonly counts: Record<string, number> = {};
  readonly poisonCodes: Record<string, number> = {};
  readonly first: Record<string, string[]> = {};

  constructor(firstN = 5) {
    this.#firstN = firstN;
  }

  add(outcome: string, label: string, code?: string): void {
    this.counts[outcome] = (this.counts[outcome] ?? 0) + 1;
    if (code !== undefined) this.poisonCodes[code] = (this.poisonCodes[code] ?? 0) + 1;
    const list = (this.first[outcome] ??= []);
    if (list.length < this.#firstN) list.push(code === undefined ? label : `${label} (${code})`);
  }

  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  summary(): Summary {
    return { counts: { ...this.counts }, poisonCodes: { ...this.poisonCodes }, first: { ...this.first } };
  }
}

/** One line of a text table: a left-aligned first cell, the others right-aligned to their widths. */
export function cells(values: readonly string[], widths: readonly number[]): string {
  return values.map((v, i) => (i === 0 ? v.padEnd(widths[0] ?? 0) : v.padStart(widths[i] ?? 0))).join(" ");
}

export function renderSummary(title: string, s: Summary): string {
  const lines = [title];
  for (const [outcome, n] of Object.entries(s.counts).sort()) {
    lines.push(
      `  ${outcome.padEnd(22)} ${String(n).padStart(8)}   first: ${(s.first[outcome] ?? []).join(", ")}`,
    );
  }
  for (const [code, n] of Object.entries(s.poisonCodes).sort())
    lines.push(`  poison ${code.padEnd(15)} ${String(n).padStart(8)}`);
  return `${lines.join("\n")}\n`;
}
