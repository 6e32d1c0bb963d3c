import { setTimeout as delay } from "node:timers/promises";
import { StackError, describeError } from "./errors.ts";
import { isOurs, signalPart } from "./process.ts";
import { PARTS, launch, partsOf, stopParts } from "./stack.ts";
import {
  readState,
  resolveDir,
  writeEndpoints,
  writeState,
  type PartName,
  type StackState,
} from "./state.ts";

export type PartStatus = {
  name: PartName;
  pid: number | undefined;
  /** up: process alive and its probe answered; not-ready: alive but the probe failed. */
  state: "up" | "down" | "not-ready";
  detail: string;
};

export type StackStatus = { dir: string; up: boolean; parts: PartStatus[] };

function loadState(dir: string): StackState {
  const state = readState(dir);
  if (state === undefined) throw new StackError(`no stack in ${dir}: start one with npm run stack -- up`);
  return state;
}

async function probeWithin(state: StackState, name: PartName, ms: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([PARTS[name].probe(state), timeout]);
    return undefined;
  } catch (err) {
    return describeError(err).slice(0, 200);
  } finally {
    clearTimeout(timer);
  }
}

/** Each part: is its recorded process alive, and does it answer a real request? */
export async function stackStatus(dir?: string): Promise<StackStatus> {
  const stackDir = resolveDir(dir);
  const state = readState(stackDir);
  if (state === undefined) return { dir: stackDir, up: false, parts: [] };
  const parts = await Promise.all(
    partsOf(state).map(async (name): Promise<PartStatus> => {
      const pid = state.pids[name];
      const port = state.ports[name];
      if (!isOurs(pid, stackDir)) {
        return { name, pid, state: "down", detail: `process ${pid ?? "?"} is not running` };
      }
      const failure = await probeWithin(state, name, 10_000);
      return failure === undefined
        ? { name, pid, state: "up", detail: `127.0.0.1:${port}` }
        : { name, pid, state: "not-ready", detail: `process alive, probe failed: ${failure}` };
    }),
  );
  return { dir: stackDir, up: parts.every((p) => p.state === "up"), parts };
}

const WAITS_FOR_EXIT: NodeJS.Signals[] = ["SIGKILL", "SIGTERM", "SIGINT"];

/**
 * Sends `signal` to one part, as a fault would: SIGKILL takes its whole process group (a crash),
 * SIGTERM/SIGINT ask it to stop; for these three it returns once the process is gone. SIGSTOP and
 * SIGCONT freeze and thaw it. The stack's records are left as they are, so `status` reports it.
 */
export async function killPart(
  dir: string | undefined,
  name: PartName,
  signal: NodeJS.Signals = "SIGKILL",
): Promise<void> {
  const stackDir = resolveDir(dir);
  const state = loadState(stackDir);
  if (name === "dynamodb" && state.externalDynamodb !== undefined) {
    throw new StackError(
      `the stack in ${stackDir} uses ${state.externalDynamodb} (CDC_SINK_DYNAMODB_ENDPOINT), which it cannot stop or restart: run this on a stack with its own store`,
    );
  }
  const pid = state.pids[name];
  if (pid === undefined || !isOurs(pid, stackDir))
    throw new StackError(`${name} is not running in ${stackDir}`);
  signalPart(pid, signal);
  if (!WAITS_FOR_EXIT.includes(signal)) return;
  const deadline = Date.now() + 60_000;
  while (isOurs(pid, stackDir)) {
    if (Date.now() > deadline)
      throw new StackError(`${name} (pid ${pid}) still running 60 s after ${signal}`);
    await delay(50);
  }
}

/**
 * Starts one part again on its recorded ports and data (after killPart), waits until it answers,
 * and rewrites endpoints.json with the new pid. Does nothing if the part is running.
 */
export async function startPart(dir: string | undefined, name: PartName): Promise<void> {
  const stackDir = resolveDir(dir);
  const state = loadState(stackDir);
  if (!partsOf(state).includes(name)) throw new StackError(`${name} is not part of the stack in ${stackDir}`);
  if (isOurs(state.pids[name], stackDir)) return;
  try {
    await launch(name, state, new AbortController().signal);
  } catch (err) {
    await stopParts(state, [name]);
    throw err;
  } finally {
    // Another process may have changed other parts meanwhile: only this part's pid is ours to set.
    const latest = readState(stackDir) ?? state;
    latest.pids[name] = state.pids[name];
    if (latest.pids[name] === undefined) delete latest.pids[name];
    writeState(latest);
    writeEndpoints(latest);
  }
}
