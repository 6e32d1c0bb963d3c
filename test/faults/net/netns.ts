// A network namespace of the scenario's own, for partitions with iptables (`tc netem` is not
// available on these kernels). The scenario program re-runs itself under `unshare -n` with only
// a loopback interface: the stack, the sinks and the harness all live inside it, and iptables
// rules there touch nothing else on the machine. Every rule is removed when its period ends, and
// the whole namespace disappears with the program.

import { spawn, spawnSync } from "node:child_process";
import { readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureJars, kafkaLineFromEnv } from "../../../tools/stack/fetch.ts";

/** Set by runInOwnNetns for the program it re-runs: "1" inside, else why it could not be made. */
export const NETNS_VAR = "CDC_FAULT_NETNS";
/** The namespace the runner left (e.g. `net:[4026531840]`), to prove the child is elsewhere. */
const PARENT_VAR = "CDC_FAULT_NETNS_PARENT";

function missing(): string | undefined {
  for (const [cmd, args] of [
    ["unshare", ["--version"]],
    ["ip", ["-V"]],
    ["iptables", ["--version"]],
  ] as const) {
    const r = spawnSync(cmd, args, { stdio: "ignore" });
    if (r.error !== undefined || r.status !== 0)
      return (
        `${cmd} not found (apt-get install ` +
        `${cmd === "ip" ? "iproute2" : cmd === "unshare" ? "util-linux" : cmd})`
      );
  }
  const probe = spawnSync("unshare", ["-n", "--", "iptables", "-L", "INPUT", "-n"], { encoding: "utf8" });
  if (probe.status !== 0)
    return (
      `unshare -n with iptables failed: ` +
      `${(probe.stderr || probe.error?.message || "").trim().slice(0, 200)}`
    );
  return undefined;
}

/**
 * Re-runs this program (`argv`: script and arguments) in a new network namespace with loopback up,
 * and resolves its exit code; resolves undefined (and records why in NETNS_VAR) when no namespace
 * can be made here, so the caller runs in place and skips its partition phase.
 */
export async function runInOwnNetns(argv: string[]): Promise<number | undefined> {
  const why = missing();
  if (why !== undefined) {
    process.env[NETNS_VAR] = `unavailable: ${why}`;
    return undefined;
  }
  // Nothing outside is reachable from the namespace: fetch the broker's jars (a no-op once cached) first.
  await ensureJars("kafka", kafkaLineFromEnv(), join(tmpdir(), "cdc-fault-netns-maven.log"));
  const child = spawn(
    "unshare",
    ["-n", "--", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", process.execPath, ...argv],
    {
      stdio: "inherit",
      env: { ...process.env, [NETNS_VAR]: "1", [PARENT_VAR]: readlinkSync("/proc/self/ns/net") },
    },
  );
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on("SIGTERM", forward).on("SIGINT", forward);
  return new Promise((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? (signal === null ? 1 : 128))),
  );
}

/** "own" only when the runner made this namespace and it really is not the runner's. */
export function netnsStatus(): { own: boolean; note: string } {
  const mark = process.env[NETNS_VAR];
  if (mark !== "1") return { own: false, note: mark ?? "not requested" };
  try {
    const here = readlinkSync("/proc/self/ns/net");
    const own = process.env[PARENT_VAR] !== undefined && here !== process.env[PARENT_VAR];
    return { own, note: own ? `own network namespace ${here}` : "still in the runner's namespace" };
  } catch (err) {
    return { own: false, note: `cannot read /proc/self/ns/net: ${(err as Error).message}` };
  }
}

function iptables(args: string[]): void {
  const r = spawnSync("iptables", ["-w", ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`iptables ${args.join(" ")} failed: ${r.stderr.trim()}`);
}

/**
 * Drops every TCP segment to and from `port` on loopback for `forMs` (a partition: nothing is
 * refused, nothing arrives; TCP retransmits and the connection survives if it is short enough).
 * Refuses to run outside the scenario's own namespace.
 */
export async function partition(port: number, forMs: number): Promise<void> {
  const ns = netnsStatus();
  if (!ns.own) throw new Error(`refusing iptables outside the scenario's own network namespace (${ns.note})`);
  const rules = [
    ["INPUT", "-i", "lo", "-p", "tcp", "--dport", String(port), "-j", "DROP"],
    ["INPUT", "-i", "lo", "-p", "tcp", "--sport", String(port), "-j", "DROP"],
  ];
  for (const rule of rules) iptables(["-I", ...rule]);
  try {
    await new Promise((r) => setTimeout(r, forMs));
  } finally {
    for (const rule of rules) iptables(["-D", ...rule]);
  }
}
