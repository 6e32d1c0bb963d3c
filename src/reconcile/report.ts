// The drift report for people (text) and for programs (--json). Keys and column names only, never
// values: the report may be pasted into a ticket, and row values may be personal data.

import { DRIFT_KINDS, type DriftKind, type DriftReport } from "./compare.ts";
import type { ConverterSettings } from "./types.ts";

export type ReconcileResult = DriftReport & {
  readonly table: string;
  readonly source: string;
  readonly dynamodbTable: string;
  readonly mode: "full" | "sample";
  readonly settings: ConverterSettings;
  readonly elapsedMs: number;
  readonly notes: readonly string[];
};

const MEANING: Record<DriftKind, string> = {
  missing: "row live in the source, no item",
  extra: "live item, no row in the source",
  different: "row and item differ",
  deleted_but_live: "item is a tombstone, row is live in the source",
};

export function renderText(r: ReconcileResult): string {
  const lines = [
    `reconcile ${r.table} (source ${r.source}) against DynamoDB table ` +
      `${r.dynamodbTable}${r.mode === "sample" ? `, a random sample of ${r.sourceRows} rows` : ""}`,
    `  source rows ${r.sourceRows}, items ${r.items} (${r.tombstones} tombstones), equal ${r.equal}`,
    `  ${r.drift === 0 ? "no drift" : `DRIFT ${r.drift}`}: ` +
      DRIFT_KINDS.map((k) => `${k} ${r.counts[k]}`).join(", "),
  ];
  for (const kind of DRIFT_KINDS) {
    if (r.counts[kind] === 0) continue;
    lines.push(
      `  ${kind} (${MEANING[kind]}): ${r.counts[kind]}` +
        (r.counts[kind] > r.examples[kind].length ? `, the first ${r.examples[kind].length}` : ""),
    );
    for (const e of r.examples[kind])
      lines.push(`    ${e.key}${e.columns === undefined ? "" : `  columns: ${e.columns.join(", ")}`}`);
  }
  const columns = Object.entries(r.columns);
  if (columns.length > 0)
    lines.push(`  differing columns: ${columns.map(([c, n]) => `${c} (${n})`).join(", ")}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  lines.push(`  took ${(r.elapsedMs / 1000).toFixed(1)} s`);
  return lines.join("\n") + "\n";
}

export function renderJson(r: ReconcileResult | readonly ReconcileResult[]): string {
  return JSON.stringify(r, null, 2) + "\n";
}
