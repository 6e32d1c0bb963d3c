// `npm run faults -- [--size ci|nightly] [ids…]`: runs scenarios one after another on the stack
// named by CDC_SINK_STACK_DIR (scenarios that kill parts start their own), and prints the table
// of results. The nightly size uses the matrix's own durations and larger data.

import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { killPart, startPart } from "../../tools/stack/index.ts";
import { SCENARIOS } from "./scenarios/index.ts";

const args = process.argv.slice(2);
const size = args.includes("--size") ? args[args.indexOf("--size") + 1]! : "ci";
const ids = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--size");
const runner = fileURLToPath(new URL("./run-scenario.ts", import.meta.url));
const rows: string[] = [];
let failed = 0;
// A failed scenario's whole output is kept for the post-mortem; the table names the file.
const logs = mkdtempSync(join(tmpdir(), "cdc-faults-"));
// Sorted: integer-like keys ("10"…"20") would otherwise come before "01"…"09".
for (const id of ids.length > 0 ? ids : Object.keys(SCENARIOS).sort()) {
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
  let kept = "";
  if (r.status !== 0) {
    failed++;
    const file = join(logs, `${id}.log`);
    writeFileSync(
      file,
      `exit ${r.status} signal ${r.signal}\n--- stdout\n${r.stdout ?? ""}\n--- stderr\n${r.stderr ?? ""}`,
    );
    kept = ` log=${file}`;
  }
  rows.push(`${line} seconds=${Math.round((Date.now() - t0) / 1000)}${kept}`);
  process.stderr.write(`${rows.at(-1)}\n`);
}
process.stdout.write(`\n${rows.join("\n")}\n${rows.length - failed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
