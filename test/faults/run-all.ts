// `npm run faults -- [--size ci|nightly] [--json] [ids…]`: runs scenarios one after another on the
// stack named by CDC_SINK_STACK_DIR (scenarios that kill parts start their own), and prints the table
// of results (with --json, the results as JSON on stdout). The nightly size uses the matrix's own
// durations and larger data.

import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCommandLine, printJson } from "../../tools/cli/args.ts";
import { killPart, startPart } from "../../tools/stack/index.ts";
import type { Size } from "./harness.ts";
import { SCENARIOS } from "./scenarios/index.ts";

// Sorted: integer-like keys ("10"…"20") would otherwise come before "01"…"09".
const ALL = Object.keys(SCENARIOS).sort();
const SIZES: Size[] = ["ci", "nightly"];

const USAGE = `usage: npm run faults -- [--size ci|nightly] [--json] [ID...]
  Runs fault scenarios one after another (test/faults/run-scenario.ts each) on the stack named by
  $CDC_SINK_STACK_DIR, with a fresh store for each (scenarios that kill parts start their own), and
  prints a table of results; exit 1 if any failed. A failed scenario's output is kept in a log file.
  --size SIZE   ci or nightly: the matrix's own durations and larger data (default ci)
  --json        the results as JSON on stdout (per scenario: its line, exit code, seconds, log); the
                progress goes to stderr
  -h, --help    this text
  ID...         the scenarios to run (default: all): ${ALL.join(", ")}`;

const { values, positionals, fail } = parseCommandLine(
  "faults",
  USAGE,
  { size: { type: "string", default: "ci" } },
  { allowPositionals: true },
);
const size = values.size as Size;
if (!SIZES.includes(size)) fail(`--size takes ci or nightly, got ${JSON.stringify(values.size)}`);
for (const id of positionals)
  if (!ALL.includes(id)) fail(`unknown scenario ${JSON.stringify(id)}: one of ${ALL.join(", ")}`);

type ScenarioResult = {
  id: string;
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  seconds: number;
  /** The checker's line: "scenario <name>: …". */
  line: string;
  /** A failed scenario's whole output. */
  log?: string;
};

const runner = fileURLToPath(new URL("./run-scenario.ts", import.meta.url));
const results: ScenarioResult[] = [];
const rows: string[] = [];
// A failed scenario's whole output is kept for the post-mortem; the table names the file.
const logs = mkdtempSync(join(tmpdir(), "cdc-faults-"));
for (const id of positionals.length > 0 ? positionals : ALL) {
  // A fresh in-memory store for each scenario: a store slows down as the streams of earlier
  // scenarios' tables pile up (measured on DynamoDB Local, the stack's store before dynoxide:
  // baseline at nightly size took 646 s on one that had served ten scenarios).
  const stackDir = process.env["CDC_SINK_STACK_DIR"];
  if (stackDir !== undefined) {
    await killPart(stackDir, "dynamodb", "SIGKILL");
    await startPart(stackDir, "dynamodb");
  }
  const t0 = Date.now();
  process.stderr.write(`faults: scenario ${id} (${size}) …\n`);
  const r = spawnSync(process.execPath, [runner, id, "--size", size], {
    encoding: "utf8",
    env: process.env,
    maxBuffer: 64 * 1024 * 1024,
  });
  const line =
    (r.stdout ?? "").split("\n").find((l) => l.startsWith("scenario ")) ??
    `scenario ${id}: no result (exit ${r.status})`;
  const result: ScenarioResult = {
    id,
    ok: r.status === 0,
    exitCode: r.status,
    signal: r.signal,
    seconds: Math.round((Date.now() - t0) / 1000),
    line,
  };
  if (!result.ok) {
    result.log = join(logs, `${id}.log`);
    writeFileSync(
      result.log,
      `exit ${r.status} signal ${r.signal}\n--- stdout\n${r.stdout ?? ""}\n--- stderr\n${r.stderr ?? ""}`,
    );
  }
  results.push(result);
  rows.push(`${line} seconds=${result.seconds}${result.log === undefined ? "" : ` log=${result.log}`}`);
  process.stderr.write(`${rows.at(-1)}\n`);
}
const failed = results.filter((r) => !r.ok).length;
if (values.json) printJson({ size, scenarios: results, passed: results.length - failed, failed });
else process.stdout.write(`\n${rows.join("\n")}\n${rows.length - failed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
