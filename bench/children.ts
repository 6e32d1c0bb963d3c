// Every child process the benchmark starts, so that an interrupted run (Ctrl-C, a timeout) ends
// them too instead of leaving sinks and proxies running on a shared machine.

import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

const children = new Set<ChildProcess>();

export function spawnTracked(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, options);
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

export function killChildren(): void {
  for (const child of children) child.kill("SIGKILL");
}
