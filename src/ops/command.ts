// Dispatch of the operator's commands (loaded on demand by app/commands.ts).

import type { Io } from "./context.ts";

export async function opsCommand(
  name: string,
  argv: string[],
  env: NodeJS.ProcessEnv,
  io: Io,
): Promise<number> {
  switch (name) {
    case "explain":
      return (await import("./explain-command.ts")).explainCommand(argv, env, io);
    case "lag":
      return (await import("./lag-command.ts")).lagCommand(argv, env, io);
    case "dlq":
      return (await import("./dlq-command.ts")).dlqCommand(argv, env, io);
    case "offsets":
      return (await import("./offsets-command.ts")).offsetsCommand(argv, env, io);
    case "run --dry-run":
      return (await import("./dry-run.ts")).dryRunCommand(argv, env, io);
    default:
      throw new Error(`no operator command ${name}`);
  }
}
