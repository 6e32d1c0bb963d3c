// Runs `cdc-sink <operator command>` as a real process against the stack, with the sink's variables.

import { spawn, type ChildProcess } from "node:child_process";
import type { Producer } from "kafkajs";
import { CLI, sinkEnv } from "../../support/sink-process.ts";
import type { Endpoints } from "../../support/stack.ts";

export type CliResult = { code: number | null; stdout: string; stderr: string };

export function startCli(
  endpoints: Endpoints,
  env: Record<string, string>,
  args: string[],
  stdin?: string,
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: {
      PATH: process.env["PATH"] ?? "",
      NODE_OPTIONS: "--disable-warning=TimeoutNegativeWarning",
      ...sinkEnv(endpoints, env),
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(stdin ?? "");
  const done = new Promise<CliResult>((resolve) =>
    child.once("exit", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

export function cli(endpoints: Endpoints, env: Record<string, string>, args: string[], stdin?: string) {
  return startCli(endpoints, env, args, stdin).done;
}

/** Parses a command's --json output; fails with what the command said when it is not JSON. */
export function parsed<T>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

export async function send(
  producer: Producer,
  topic: string,
  messages: { key: Buffer | null; value: Buffer | null; partition?: number; timestamp?: string }[],
): Promise<void> {
  await producer.send({ topic, acks: -1, messages });
}
