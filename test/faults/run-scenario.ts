// One fault scenario as a program: `node test/faults/run-scenario.ts <id> [--size ci|nightly]`.
// Prints the checker's line, exits 0 when every count is 0 and every check holds, 1 otherwise,
// 2 when the hard time limit ran out (everything it started is stopped first).

import { Harness, type Size } from "./harness.ts";
import { NETNS_VAR, runInOwnNetns } from "./net/netns.ts";
import { SCENARIOS } from "./scenarios/index.ts";

process.removeAllListeners("warning"); // kafkajs 2.2.4 arms a negative timer on Node >= 23

const id = process.argv[2] ?? "";
const size = (
  process.argv.includes("--size") ? process.argv[process.argv.indexOf("--size") + 1] : "ci"
) as Size;
const scenario = SCENARIOS[id];
if (scenario === undefined) {
  process.stderr.write(
    `unknown scenario ${JSON.stringify(id)}; known: ${Object.keys(SCENARIOS).join(", ")}\n`,
  );
  process.exit(2);
}

// A scenario with partitions runs in a network namespace of its own (when one can be made here).
if (scenario.netns === true && process.env[NETNS_VAR] === undefined) {
  const code = await runInOwnNetns(process.argv.slice(1));
  if (code !== undefined) process.exit(code);
}

const h = await Harness.create(`${id}-${scenario.title}`, size, {
  privateStack: scenario.privateStack === true,
  dynamodbPersistent: scenario.dynamodbPersistent === true,
  ...(scenario.listeners === undefined ? {} : { listeners: scenario.listeners }),
});
const limit = setTimeout(() => {
  process.stdout.write(`scenario ${h.name}: TIMEOUT after ${scenario.limitMs[size]} ms\n`);
  void h.close().finally(() => process.exit(2));
}, scenario.limitMs[size]);
// A stray rejection (a tool's request to a part the scenario stopped) must not leave the private
// stack running: report it, stop everything, exit 1.
process.on("unhandledRejection", (err) => {
  process.stdout.write(
    `scenario ${h.name}: ERROR unhandled rejection ` +
      `${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  clearTimeout(limit);
  void h.close().finally(() => process.exit(1));
});
let code = 1;
try {
  const outcome = await scenario.run(h);
  const { line, ok } = await h.verdict(outcome);
  process.stdout.write(`${line}\n`);
  code = ok ? 0 : 1;
} catch (err) {
  process.stdout.write(
    `scenario ${h.name}: ERROR ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  // The consumers' own logs are the post-mortem of a scenario that stalled: the last lines of each.
  for (const c of h.consumers)
    process.stderr.write(
      `--- consumer ${c.name} (pid ${c.proc.child.pid}, ` +
        `${c.stopped === undefined ? "running" : `exited ${JSON.stringify(c.stopped)}`}), last lines:\n` +
        `${c.proc.output().split("\n").slice(-200).join("\n")}\n`,
    );
} finally {
  clearTimeout(limit);
  await h.close();
}
process.exit(code);
