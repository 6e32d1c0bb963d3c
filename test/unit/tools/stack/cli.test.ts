import assert from "node:assert/strict";
import { test } from "node:test";
import { assertBadOption, assertHelp, runCommand } from "../../../support/command.ts";

const CLI = "tools/stack/cli.ts";

test("npm run stack -- --help: the usage with every option, exit 0, no stack made", async () => {
  assertHelp(await runCommand(CLI, ["--help"]), /^usage: npm run stack -- <command>/);
  assertHelp(await runCommand(CLI, ["up", "-h"]), /--kafka-proxy-port N/);
});

test("npm run stack -- up --bogus: exit 2 with one line and the usage, not a stack trace", async () => {
  assertBadOption(await runCommand(CLI, ["up", "--bogus"]), "stack");
});

test("npm run stack with no command or an unknown one: exit 2, the usage on stderr", async () => {
  for (const args of [[], ["upp"]]) {
    const run = await runCommand(CLI, args);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /^stack: (a command is needed|unknown command "upp")/);
    assert.match(run.stderr, /\nusage: npm run stack/);
    assert.deepEqual(run.created, []);
  }
});

test("npm run stack -- status --json: the parts as JSON on stdout (none, exit 1, when no stack is there)", async () => {
  const run = await runCommand(CLI, ["status", "--json"]);
  assert.equal(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as { dir: string; up: boolean; parts: unknown[] };
  assert.match(report.dir, /cdc-sink-command-.*\/stack$/);
  assert.equal(report.up, false);
  assert.deepEqual(report.parts, []);
});

test("npm run stack -- logs -f --json is refused: a followed log is no JSON document", async () => {
  const run = await runCommand(CLI, ["logs", "-f", "--json"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^stack: logs --follow has no --json\n/);
});
