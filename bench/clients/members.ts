// Starting consume-only members (member.ts) and reading their events, for the client comparison.

import type { ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnTracked } from "../children.ts";
import type { MemberRequest } from "./member.ts";

export type MemberEvent =
  | { ev: "subscribing"; at: number }
  | { ev: "assign"; kind: string; at: number; partitions: number }
  | { ev: "batch"; at: number; p: number; n: number }
  | { ev: "done"; records: number; seconds: number; rate: number; cpuMs: number }
  | { ev: "leaving"; at: number }
  | { ev: "failed"; error: string }
  | {
      ev: "summary";
      left: number;
      commitLagP50Ms: number;
      commitLagP99Ms: number;
      peakRssMb: number;
    };

export type Member = {
  readonly child: ChildProcess;
  readonly events: MemberEvent[];
  /** The first event that matches, waiting up to `timeoutMs`. */
  waitFor<E extends MemberEvent["ev"]>(
    ev: E,
    timeoutMs: number,
    match?: (e: Extract<MemberEvent, { ev: E }>) => boolean,
  ): Promise<Extract<MemberEvent, { ev: E }>>;
  /** SIGTERM: the member commits, leaves the group and prints its summary. */
  stop(): Promise<Extract<MemberEvent, { ev: "summary" }>>;
};

const MEMBER = join(dirname(fileURLToPath(import.meta.url)), "member.ts");

export function startMember(request: MemberRequest, label: string): Member {
  const child = spawnTracked(process.execPath, [MEMBER, JSON.stringify(request)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events: MemberEvent[] = [];
  let rest = "";
  let err = "";
  const waiters = new Set<() => void>();
  child.stdout!.on("data", (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split("\n");
    rest = lines.pop()!;
    for (const line of lines) if (line.startsWith("{")) events.push(JSON.parse(line) as MemberEvent);
    for (const w of waiters) w();
  });
  child.stderr!.on("data", (c: Buffer) => void (err = (err + c.toString()).slice(-4000)));
  child.once("exit", () => {
    for (const w of waiters) w();
  });
  const waitFor: Member["waitFor"] = (ev, timeoutMs, match = () => true) =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = events.find((e) => e.ev === ev && match(e as never));
        const failed = events.find((e) => e.ev === "failed");
        if (found !== undefined) resolve(found as never);
        else if (failed !== undefined || child.exitCode !== null)
          reject(new Error(`${label} ended before ${ev}: ${JSON.stringify(failed)} ${err}`));
        else return false;
        return true;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        waiters.delete(listener);
        reject(new Error(`${label}: no ${ev} in ${timeoutMs} ms; stderr: ${err}`));
      }, timeoutMs);
      const listener = (): void => {
        if (check()) {
          clearTimeout(timer);
          waiters.delete(listener);
        }
      };
      waiters.add(listener);
    });
  return {
    child,
    events,
    waitFor,
    async stop() {
      child.kill("SIGTERM");
      const kill = setTimeout(() => child.kill("SIGKILL"), 30_000);
      try {
        return await waitFor("summary", 31_000);
      } finally {
        clearTimeout(kill);
      }
    },
  };
}
