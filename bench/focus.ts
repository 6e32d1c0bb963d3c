// `npm run bench -- --only G5,G7`: a quicker run of the arms a few goals need, for tuning. The
// arms no listed goal needs are not run and print n/a; the goals not listed are left out.
// `--latency-runs N` repeats the paced latency arm (G5, G6): on a shared machine its p99 moves with
// other work, so the spread of a few runs says more than one. The goal is judged on the median run.

import type { Rate } from "./report.ts";
import type { LatencyResult } from "./latency.ts";

const GOALS = ["G1", "G2", "G3", "G4", "G5", "G6", "G7", "G9"];

export type Focus = { wants(goal: string): boolean; readonly label: string };

/** The goals `--only` names (all when absent); an unknown goal is an error, not an empty run. */
export function focus(only: string | undefined): Focus {
  if (only === undefined) return { wants: () => true, label: "all goals" };
  const ids = new Set(
    only
      .split(",")
      .map((s) => s.trim().toUpperCase())
      .filter((s) => s !== ""),
  );
  const unknown = [...ids].filter((id) => !GOALS.includes(id));
  if (ids.size === 0 || unknown.length > 0)
    throw new Error(`--only takes goals among ${GOALS.join(", ")}; got "${only}"`);
  return { wants: (goal) => ids.has(goal), label: [...ids].join(", ") };
}

/** An arm that was not run (`--only`): its rate is NaN, so every figure built on it prints n/a. */
export const NOT_RUN: Rate & { records: number; seconds: number; rate: number } = {
  records: 0,
  seconds: 0,
  rate: NaN,
};

/** The run with the median p99 of several (the upper median), with every run's p50 and p99 kept beside it. */
export function medianRun(runs: readonly LatencyResult[]): LatencyResult {
  if (runs.length === 0)
    return {
      rate: NaN,
      records: 0,
      p50Ms: NaN,
      p99Ms: NaN,
      sentP50Ms: NaN,
      sentP99Ms: NaN,
      ackedP99Ms: NaN,
      commitLagP50Ms: NaN,
      commitLagP99Ms: NaN,
      unseen: 0,
      warmupSeconds: NaN,
      warmupP99Ms: NaN,
      runs: [],
    };
  const sorted = [...runs].sort((a, b) => a.p99Ms - b.p99Ms);
  // With an even count, the worse of the two middle runs: a pass is never decided by the luckier half.
  const median = sorted[Math.ceil((sorted.length - 1) / 2)]!;
  return { ...median, runs: runs.map((r) => ({ p50Ms: r.p50Ms, p99Ms: r.p99Ms })) };
}
