import { makeWorkload } from "../../support/workload.ts";
import type { Harness } from "../harness.ts";
import { SIZES } from "../scenario.ts";

/** Topic and table of the scenario's size, filled with a CDC stream (with replays) and its ledger. */
export async function standardFill(
  h: Harness,
  opts: { replays?: number; seed?: number; scale?: number } = {},
): Promise<number> {
  const s = SIZES[h.size];
  await h.prepare(s.partitions);
  const keys = Math.round(s.keys * (opts.scale ?? 1));
  const workload = makeWorkload({
    keys,
    changesPerKey: s.changesPerKey,
    replays: opts.replays ?? Math.round(keys / 10),
    seed: opts.seed ?? 1,
  });
  await h.fill(workload.messages);
  return workload.messages.length;
}

/** VmRSS of a process in kB (Linux). */
export async function rssKb(pid: number): Promise<number> {
  const { readFile } = await import("node:fs/promises");
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}
