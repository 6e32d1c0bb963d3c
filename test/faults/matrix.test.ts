// The CI-sized run of the reliability matrix: every scenario once, each as its own program with a
// hard time limit, each ending with the checker's counts (all of which must be 0).

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { SCENARIOS } from "./scenarios/index.ts";

const RUNNER = fileURLToPath(new URL("./run-scenario.ts", import.meta.url));
const ZEROES = ["lost=0", "regression=0", "duplicate_effect=0", "resurrection=0", "commit_before_durable=0"];

function runScenario(id: string, limitMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RUNNER, id, "--size", "ci"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: process.env,
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    // The program has its own limit; this one is the backstop if it cannot even stop itself.
    const backstop = setTimeout(() => child.kill("SIGKILL"), limitMs + 60_000);
    child.once("exit", (code) => {
      clearTimeout(backstop);
      resolve({ code, out });
    });
  });
}

for (const [id, scenario] of Object.entries(SCENARIOS).sort(([a], [b]) => a.localeCompare(b))) {
  test(`fault scenario ${id} ${scenario.title}`, { timeout: scenario.limitMs.ci + 120_000 }, async (t) => {
    const { code, out } = await runScenario(id, scenario.limitMs.ci);
    const line = out.split("\n").find((l) => l.startsWith("scenario ")) ?? "";
    t.diagnostic(line || "(no checker line)");
    assert.equal(code, 0, out.slice(-6000));
    for (const zero of ZEROES) assert.ok(line.includes(` ${zero} `), `${zero} missing from: ${line}`);
    assert.match(line, /conservation=exact\(/);
  });
}
