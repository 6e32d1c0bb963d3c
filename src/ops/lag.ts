// `cdc-sink lag`, the pure part: per partition, how far the group's committed offset is behind
// the log end. Kafka's committed offset is the next record to read, so lag = end − committed;
// a partition the group never committed counts from the log start (what a new group would read).

import type { GroupState, PartitionEnds } from "../adapters/kafka/admin-queries.ts";
import { cells } from "./summary.ts";

export type LagRow = {
  topic: string;
  partition: number;
  committed: string | null;
  start: string;
  end: string;
  lag: string;
  /** Timestamp (ms) of the first uncommitted record: the oldest record the group still owes. */
  oldestUncommittedMs: number | null;
  oldestUncommittedAgeMs: number | null;
};

export type LagReport = {
  group: string;
  state: string;
  members: GroupState["members"];
  totalLag: string;
  partitions: LagRow[];
};

export function lagRows(
  topic: string,
  ends: readonly PartitionEnds[],
  committed: Map<number, string>,
): LagRow[] {
  return ends.map((e) => {
    const c = committed.get(e.partition);
    const has = c !== undefined && BigInt(c) >= 0n;
    // Retention may have deleted records past an old commit: the group would restart at the log start.
    const from = has ? (BigInt(c) < BigInt(e.low) ? BigInt(e.low) : BigInt(c)) : BigInt(e.low);
    const lag = BigInt(e.high) - from;
    return {
      topic,
      partition: e.partition,
      committed: has ? c : null,
      start: e.low,
      end: e.high,
      lag: (lag > 0n ? lag : 0n).toString(),
      oldestUncommittedMs: null,
      oldestUncommittedAgeMs: null,
    };
  });
}

/** Where the first uncommitted record of a lagging partition sits. */
export function firstUncommitted(row: LagRow): string | undefined {
  if (BigInt(row.lag) === 0n) return undefined;
  return (BigInt(row.end) - BigInt(row.lag)).toString();
}

export function withAges(rows: LagRow[], timestamps: Map<string, number>, nowMs: number): LagRow[] {
  return rows.map((r) => {
    const ts = timestamps.get(`${r.topic}/${r.partition}`);
    return ts === undefined
      ? r
      : { ...r, oldestUncommittedMs: ts, oldestUncommittedAgeMs: Math.max(0, nowMs - ts) };
  });
}

export function lagReport(group: string, state: GroupState, rows: LagRow[]): LagReport {
  const total = rows.reduce((n, r) => n + BigInt(r.lag), 0n);
  return { group, state: state.state, members: state.members, totalLag: total.toString(), partitions: rows };
}

function age(ms: number | null): string {
  if (ms === null) return "-";
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${(s / 3600).toFixed(1)}h`;
}

const WIDTHS = [32, 4, 10, 10, 8];

export function renderLag(r: LagReport): string {
  const members = r.members.map((m) => `${m.clientId}@${m.clientHost}`).join(", ");
  const lines = [
    `group ${r.group}: ${r.state}, ${r.members.length} member(s)${members === "" ? "" : `: ${members}`}`,
    `${cells(["topic", "part", "committed", "end", "lag"], WIDTHS)}  oldest uncommitted`,
  ];
  for (const p of r.partitions) {
    const oldest =
      p.oldestUncommittedMs === null
        ? "-"
        : `${new Date(p.oldestUncommittedMs).toISOString()} (${age(p.oldestUncommittedAgeMs)} ago)`;
    const values = [p.topic, String(p.partition), p.committed ?? "-", p.end, p.lag];
    lines.push(`${cells(values, WIDTHS)}  ${oldest}`);
  }
  lines.push(`total lag ${r.totalLag}`);
  return `${lines.join("\n")}\n`;
}
