// `cdc-sink offsets reset`, the pure part: the plan (per partition: where the group is, where it
// would go) and the refusal while the group has members — a member's own commits would overwrite
// the reset, and Kafka refuses OffsetCommit from outside a live group's generation anyway.

import type { GroupState, PartitionEnds } from "../adapters/kafka/admin-queries.ts";
import { OpsInputError } from "./context.ts";
import { cells } from "./summary.ts";

export type ResetTarget =
  | { kind: "earliest" }
  | { kind: "latest" }
  | { kind: "time"; ms: number }
  | { kind: "offset"; offset: string; partition?: number | undefined };

export type PlanRow = {
  topic: string;
  partition: number;
  current: string | null;
  target: string;
  /** Records the group would read again (negative: records it would skip). */
  replays: string;
};

export type ResetPlan = { group: string; target: string; executed: boolean; partitions: PlanRow[] };

export function describeTarget(t: ResetTarget): string {
  if (t.kind === "time") return `to-time ${new Date(t.ms).toISOString()}`;
  if (t.kind === "offset")
    return `to-offset ${t.offset}${t.partition === undefined ? "" : ` (partition ${t.partition})`}`;
  return `to-${t.kind}`;
}

/** Why the reset must not run now, or undefined. */
export function refusal(group: string, state: GroupState): string | undefined {
  if (state.members.length === 0) return undefined;
  const who = state.members.map((m) => `${m.clientId}@${m.clientHost}`).join(", ");
  return (
    `group ${group} has ${state.members.length} member(s) (${state.state}: ${who}); ` +
    "stop every sink of this group first, then run the reset again"
  );
}

/**
 * One topic's rows. `byTime` holds the offsets Kafka found for a time (first offset at or after it).
 * A --to-offset outside a partition's log is refused, not clamped: the operator meant something else.
 */
export function planTopic(
  topic: string,
  target: ResetTarget,
  ends: readonly PartitionEnds[],
  committed: Map<number, string>,
  byTime?: Map<number, string>,
): PlanRow[] {
  const rows: PlanRow[] = [];
  for (const e of ends) {
    if (target.kind === "offset" && target.partition !== undefined && target.partition !== e.partition)
      continue;
    let to: string;
    if (target.kind === "earliest") to = e.low;
    else if (target.kind === "latest") to = e.high;
    else if (target.kind === "time") to = byTime?.get(e.partition) ?? e.high;
    else {
      if (BigInt(target.offset) < BigInt(e.low) || BigInt(target.offset) > BigInt(e.high))
        throw new OpsInputError(
          `--to-offset ${target.offset} is outside ${topic}/${e.partition}'s log (${e.low}..${e.high})`,
        );
      to = target.offset;
    }
    const c = committed.get(e.partition);
    const current = c !== undefined && BigInt(c) >= 0n ? c : null;
    const from = current === null ? BigInt(e.low) : BigInt(current);
    rows.push({
      topic,
      partition: e.partition,
      current,
      target: to,
      replays: (from - BigInt(to)).toString(),
    });
  }
  if (target.kind === "offset" && target.partition !== undefined && rows.length === 0)
    throw new OpsInputError(`topic ${topic} has no partition ${target.partition}`);
  return rows;
}

const WIDTHS = [32, 4, 10, 10, 8];

export function renderPlan(plan: ResetPlan): string {
  const what = plan.executed ? "reset" : "plan (dry: add --execute to apply)";
  const lines = [
    `${what} for group ${plan.group}, ${plan.target}`,
    cells(["topic", "part", "current", "target", "replays"], WIDTHS),
  ];
  for (const r of plan.partitions)
    lines.push(cells([r.topic, String(r.partition), r.current ?? "-", r.target, r.replays], WIDTHS));
  return `${lines.join("\n")}\n`;
}
