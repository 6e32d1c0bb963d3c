// Runs one of the project's commands (bench/main.ts, tools/…, test/faults/run-all.ts) as a child on
// Node 24 in a sandbox: HOME, TMPDIR, the cache ($CDC_SINK_CACHE) and the stack folder
// ($CDC_SINK_STACK_DIR) all point into a fresh empty folder. What a command makes when it starts
// work — a stack, a temporary folder, a build in the cache — lands there, so a test can tell that
// `--help` or a bad option started nothing: the folder is still empty.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Io } from "../../tools/cli/args.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NODE = join(ROOT, "node_modules/.bin/node");

export type CommandRun = {
  code: number | null;
  stdout: string;
  stderr: string;
  /** What the command left in the sandbox (relative paths); empty when it started nothing. */
  created: string[];
};

export async function runCommand(script: string, args: string[]): Promise<CommandRun> {
  const sandbox = mkdtempSync(join(tmpdir(), "cdc-sink-command-"));
  try {
    const child = spawn(NODE, [join(ROOT, script), ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 20_000,
      killSignal: "SIGKILL",
      env: {
        ...process.env,
        HOME: sandbox,
        TMPDIR: sandbox,
        CDC_SINK_CACHE: join(sandbox, "cache"),
        CDC_SINK_STACK_DIR: join(sandbox, "stack"),
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on("close", (c) => done(c)));
    return { code, stdout, stderr, created: readdirSync(sandbox, { recursive: true }).map(String) };
  } finally {
    rmSync(sandbox, { recursive: true, force: true });
  }
}

/** `--help`: exit 0, the usage (and nothing else) on stdout, nothing on stderr, nothing started. */
export function assertHelp(run: CommandRun, usage: RegExp): void {
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^usage: /);
  assert.match(run.stdout, usage);
  assert.match(run.stdout, /--json/);
  assert.match(run.stdout, /--help/);
  assert.equal(run.stderr, "");
  assert.deepEqual(run.created, []);
}

/** A bogus option: exit 2, `<command>: Unknown option '--bogus'…`, then the usage, on stderr; no stack trace. */
export function assertBadOption(run: CommandRun, command: string): void {
  assert.equal(run.code, 2, `${run.stdout}\n${run.stderr}`);
  assert.equal(run.stdout, "");
  assert.match(run.stderr, new RegExp(`^${command}: Unknown option '--bogus'.*\nusage: `));
  assert.doesNotMatch(run.stderr, /^\s+at /m);
  assert.deepEqual(run.created, []);
}

/** tools/cli/args.ts's exit, in a test: thrown, as process.exit would end the command there. */
export class Exit extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`exit ${code}`);
    this.code = code;
  }
}

export const exitsWith =
  (code: number) =>
  (err: unknown): boolean =>
    err instanceof Exit && err.code === code;

/** An Io for tools/cli/args.ts that keeps what it prints in strings and throws Exit. */
export function captureIo(): { out: string; err: string; io: Io } {
  const c = {
    out: "",
    err: "",
    io: {
      out: (text: string) => void (c.out += text),
      err: (text: string) => void (c.err += text),
      exit: (code: number): never => {
        throw new Exit(code);
      },
    },
  };
  return c;
}
