import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { setTimeout as delay } from "node:timers/promises";

/**
 * Every process the stack starts carries this variable; before signalling a recorded pid we read it
 * back from /proc, so a pid the kernel reused for someone else's process is never touched.
 */
export const STACK_ID_VAR = "CDC_SINK_STACK_ID";

export type SpawnSpec = {
  cmd: string;
  args: string[];
  cwd: string;
  logFile: string;
  env?: Record<string, string>;
  uid?: number;
  gid?: number;
};

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export type Started = { pid: number; exit: () => Exit | undefined };

/**
 * Asks the kernel for `count` free loopback ports (bind to 0). All are held until all are picked,
 * so no two are the same, then released for the parts to take.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ port: 0, host: "127.0.0.1", exclusive: true }, resolve);
      });
      const address = server.address();
      ports.push(typeof address === "object" && address !== null ? address.port : 0);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** Pids of every process tagged with this stack's id: catches any the bookkeeping missed. */
export function findTagged(stackId: string): number[] {
  if (!existsSync("/proc")) return [];
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid && isOurs(pid, stackId));
}

/**
 * Starts a long-running part in its own process group (detached) with its output appended to its
 * log, and lets this Node process exit without it: `up` returns while the stack keeps running.
 */
export function spawnPart(spec: SpawnSpec, stackId: string): Started {
  const out = openSync(spec.logFile, "a");
  try {
    writeSync(out, `\n===== ${new Date().toISOString()} starting ${spec.cmd} =====\n`);
    const child = spawn(spec.cmd, spec.args, {
      cwd: spec.cwd,
      detached: true,
      stdio: ["ignore", out, out],
      env: { ...process.env, ...spec.env, [STACK_ID_VAR]: stackId },
      ...(spec.uid === undefined ? {} : { uid: spec.uid, gid: spec.gid }),
    });
    let exit: Exit | undefined;
    let spawnError: Error | undefined;
    child.on("exit", (code, signal) => (exit = { code, signal }));
    child.on("error", (err) => {
      spawnError = err;
      exit = { code: 127, signal: null };
    });
    child.unref();
    if (child.pid === undefined) throw spawnError ?? new Error(`could not start ${spec.cmd}`);
    return { pid: child.pid, exit: () => exit };
  } finally {
    closeSync(out);
  }
}

/** Runs a short command (mvn, initdb, a format tool) to completion, its output appended to a log. */
export async function runToEnd(spec: SpawnSpec): Promise<number> {
  const out = openSync(spec.logFile, "a");
  try {
    const child = spawn(spec.cmd, spec.args, {
      cwd: spec.cwd,
      stdio: ["ignore", out, out],
      env: { ...process.env, ...spec.env },
      ...(spec.uid === undefined ? {} : { uid: spec.uid, gid: spec.gid }),
    });
    return await new Promise<number>((resolve) => {
      child.on("error", () => resolve(127));
      child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
  } finally {
    closeSync(out);
  }
}

/** True when `pid` is running (not a zombie) and, where /proc can tell, is one of this stack's. */
export function isOurs(pid: number | undefined, stackId: string): boolean {
  if (pid === undefined || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const proc = `/proc/${pid}`;
  if (!existsSync(proc)) return true;
  try {
    // Field 3 of /proc/PID/stat is the state; a zombie has exited and only waits to be reaped.
    const stat = readFileSync(`${proc}/stat`, "utf8");
    if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) return false;
    const environ = readFileSync(`${proc}/environ`, "utf8").split("\0");
    return environ.includes(`${STACK_ID_VAR}=${stackId}`);
  } catch {
    return false;
  }
}

/** SIGKILL goes to the whole process group (a crash of the part); other signals to the leader. */
export function signalPart(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(signal === "SIGKILL" ? -pid : pid, signal);
  } catch {
    // already gone
  }
}

/** Sends `signal`, waits up to `deadlineMs` for the process to go, then kills its group. */
export async function stopProcess(
  pid: number,
  stackId: string,
  signal: NodeJS.Signals,
  deadlineMs: number,
): Promise<void> {
  if (!isOurs(pid, stackId)) return;
  signalPart(pid, signal);
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (!isOurs(pid, stackId)) break;
    await delay(100);
  }
  // Also reaps what the leader left behind in its group (postgres backends, a forked helper).
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // group already empty
  }
  const hardDeadline = Date.now() + 10_000;
  while (isOurs(pid, stackId) && Date.now() < hardDeadline) await delay(50);
}

/** The last `lines` lines of a log, for error messages and `stack logs`. */
export function tail(file: string, lines: number): string {
  if (!existsSync(file)) return "";
  const text = readFileSync(file, "utf8");
  return text.split("\n").filter(Boolean).slice(-lines).join("\n");
}
