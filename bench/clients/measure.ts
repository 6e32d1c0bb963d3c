// Pure parts of the client comparison (`npm run bench -- --clients`): a process's CPU and memory
// from /proc, and the stall around a group change from record completion times.
//
// /proc/<pid>/stat's utime and stime (fields 14 and 15) are the whole process's: every thread's,
// librdkafka's native threads included. process.cpuUsage() would be the same here, but the figure
// is read from /proc so that it can be read for another process as well (the sink's).

export const TICK_MS = 10; // USER_HZ is 100 on Linux

export type ProcStat = { utimeTicks: number; stimeTicks: number; threads: number };

/** Parses /proc/<pid>/stat. The command name (field 2) may hold spaces and parentheses. */
export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(")");
  if (close < 0) throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  // After ") " come field 3 (state) onwards: utime is field 14, stime 15, num_threads 20.
  const fields = text
    .slice(close + 2)
    .trim()
    .split(" ");
  const at = (field: number): number => {
    const value = Number(fields[field - 3]);
    if (!Number.isFinite(value)) throw new Error(`/proc/<pid>/stat has no field ${field}`);
    return value;
  };
  return { utimeTicks: at(14), stimeTicks: at(15), threads: at(20) };
}

export const cpuMsOf = (stat: ProcStat): number => (stat.utimeTicks + stat.stimeTicks) * TICK_MS;

/** A `Name:   123 kB` line of /proc/<pid>/status, in MB (VmRSS, VmHWM). */
export function statusMb(text: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, "m").exec(text);
  if (m === null) throw new Error(`/proc/<pid>/status has no ${name}`);
  return Number(m[1]) / 1024;
}

/**
 * The longest stretch in [at, at + horizonMs] with no record completed, counted from the last
 * completion at or before `at` (a stall that began just before the event is part of it) and up to
 * the horizon when nothing completes after the last time (a group that never resumes stalls for
 * the whole horizon). `times` are completion times in ms, in any order.
 */
export function stallAfter(times: readonly number[], at: number, horizonMs: number): number {
  const end = at + horizonMs;
  let prev = lastAtOrBefore(times, at) ?? at;
  const after = times.filter((t) => t > at && t <= end).sort((a, b) => a - b);
  let longest = 0;
  for (const t of after) {
    longest = Math.max(longest, t - prev);
    prev = t;
  }
  return Math.max(longest, end - prev);
}

function lastAtOrBefore(times: readonly number[], at: number): number | undefined {
  let best: number | undefined;
  for (const t of times) if (t <= at && (best === undefined || t > best)) best = t;
  return best;
}

/** The longest gap between consecutive completions in [from, to]: the noise floor of stallAfter. */
export function longestGap(times: readonly number[], from: number, to: number): number {
  const inside = times.filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  let longest = 0;
  for (let i = 1; i < inside.length; i++) longest = Math.max(longest, inside[i]! - inside[i - 1]!);
  return longest;
}

/** Median and range of repeated figures (NaN ones left out). */
export function spread(values: readonly number[]): { median: number; min: number; max: number; n: number } {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { median, min: v[0]!, max: v.at(-1)!, n: v.length };
}
