// The side-by-side table of the client comparison: per cell, the median of the repeats and their
// range (min–max), so a reader sees how much the shared machine moved the figures.

import type { Cell, ConsumeFigures, GroupFigures, OursFigures } from "./cells.ts";
import { spread } from "./measure.ts";

export type CellRuns = {
  cell: Cell;
  consume: ConsumeFigures[];
  ours: OursFigures[];
  group: GroupFigures[];
};

type Column<T> = { title: string; of: (f: T) => number; digits: number };

function figure(values: number[], digits: number): string {
  const s = spread(values);
  if (s.n === 0) return "n/a";
  const f = (v: number): string =>
    v
      .toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
      .replace(/,/g, " ");
  return s.n === 1 || s.min === s.max ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

function block<T>(title: string, runs: CellRuns[], pick: (r: CellRuns) => T[], columns: Column<T>[]): string {
  const rows = runs.map((r) => [r.cell.name, ...columns.map((c) => figure(pick(r).map(c.of), c.digits))]);
  const head = [title, ...columns.map((c) => c.title)];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`;
  return [line(head), rule, ...rows.map(line)].join("\n");
}

export function clientsTable(runs: CellRuns[]): string {
  return [
    block("Consume only", runs, (r) => r.consume, [
      { title: "records/s", of: (f) => f.rate, digits: 0 },
      { title: "CPU µs/record", of: (f) => f.cpuUsPerRecord, digits: 1 },
      { title: "peak RSS MB", of: (f) => f.peakRssMb, digits: 0 },
      { title: "p99 commit lag ms", of: (f) => f.commitLagP99Ms, digits: 0 },
    ]),
    block("B-ours (cdc-sink run)", runs, (r) => r.ours, [
      { title: "records/s", of: (f) => f.rate, digits: 0 },
      { title: "CPU ms/record", of: (f) => f.cpuMsPerRecord, digits: 3 },
      { title: "peak RSS MB", of: (f) => f.peakRssMb, digits: 0 },
      { title: "p99 commit lag ms", of: (f) => f.commitLagP99Ms, digits: 0 },
    ]),
    block("A second member (consume only)", runs, (r) => r.group, [
      { title: "quiet gap ms", of: (f) => f.quietGapMs, digits: 0 },
      { title: "join: stall ms", of: (f) => f.joinStallMs, digits: 0 },
      { title: "join: rebalance ms", of: (f) => f.joinRebalanceMs, digits: 0 },
      { title: "leave: stall ms", of: (f) => f.leaveStallMs, digits: 0 },
      { title: "leave: rebalance ms", of: (f) => f.leaveRebalanceMs, digits: 0 },
    ]),
  ].join("\n\n");
}
