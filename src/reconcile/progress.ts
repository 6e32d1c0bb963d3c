// Progress on stderr: a bar redrawn in place on a terminal, else one line every few seconds (a log
// file or a CI console must not fill with carriage returns).

export type ProgressOut = {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
};

export class Progress {
  readonly #out: ProgressOut;
  readonly #intervalMs: number;
  readonly #started = Date.now();
  #lastDraw = Date.now(); // the first line after one interval: a quick run prints none
  #drawn = false;
  source = 0;
  items = 0;
  sourceTotal = 0;
  itemsTotal = 0;

  constructor(out: ProgressOut, intervalMs?: number) {
    this.#out = out;
    this.#intervalMs = intervalMs ?? (out.isTTY === true ? 200 : 5000);
  }

  /** Call after each counted row or item; draws at most once per interval. */
  tick(): void {
    const now = Date.now();
    if (now - this.#lastDraw < this.#intervalMs) return;
    this.#lastDraw = now;
    this.#draw(false);
  }

  done(): void {
    if (this.#drawn) this.#draw(true);
  }

  #draw(final: boolean): void {
    this.#drawn = true;
    const secs = ((Date.now() - this.#started) / 1000).toFixed(0);
    if (this.#out.isTTY !== true) {
      this.#out.write(
        `reconcile: read ${this.source} source rows and ${this.items} items (${secs} ` +
          `s)${final ? ", done" : ""}\n`,
      );
      return;
    }
    const total = this.sourceTotal + this.itemsTotal;
    const ratio = total > 0 ? Math.min(1, (this.source + this.items) / total) : 0;
    const width = Math.max(10, Math.min(40, (this.#out.columns ?? 80) - 60));
    const bar = "#".repeat(Math.round(ratio * width)).padEnd(width, ".");
    this.#out.write(
      `\r[${bar}] ${(ratio * 100).toFixed(0).padStart(3)}%  rows ${this.source}  items ${this.items}  ` +
        `${secs} s${final ? "\n" : ""}`,
    );
  }
}
