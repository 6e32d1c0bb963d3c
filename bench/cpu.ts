// CPU time of a process from /proc/<pid>/stat (user + system). On a shared 2-core machine the
// wall-clock rates drift with other people's work; CPU milliseconds per record, of the client and
// of the store, drift far less, and say where the time goes.

import { readFileSync } from "node:fs";

const TICK_MS = 10; // USER_HZ is 100 on Linux

export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    // Fields after the command name (which may hold spaces), counted from its closing parenthesis.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return NaN;
  }
}

/** CPU of each pid from now until `stop()`, per record. */
export function cpuMeter(pids: Record<string, number | undefined>): {
  stop(records: number): Record<string, number>;
} {
  const start = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid)]));
  return {
    stop(records) {
      return Object.fromEntries(
        Object.entries(pids).map(([k, pid]) => [k, (cpuMs(pid) - start[k]!) / Math.max(1, records)]),
      );
    },
  };
}
