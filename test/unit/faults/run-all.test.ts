import assert from "node:assert/strict";
import { test } from "node:test";
import { assertBadOption, assertHelp, runCommand } from "../../support/command.ts";

test("npm run faults -- --help: the usage, exit 0, no scenario run", async () => {
  assertHelp(await runCommand("test/faults/run-all.ts", ["--help"]), /^usage: npm run faults -- /);
});

test("npm run faults -- --bogus: exit 2 with one line and the usage, no scenario run", async () => {
  assertBadOption(await runCommand("test/faults/run-all.ts", ["--bogus"]), "faults");
});

for (const [args, message] of [
  [["--size", "weekly"], /^faults: --size takes ci or nightly, got "weekly"/],
  [["99"], /^faults: unknown scenario "99": one of 01, 02, .*20/],
] as const)
  test(`npm run faults -- ${args.join(" ")}: exit 2 naming it, no scenario run`, async () => {
    const run = await runCommand("test/faults/run-all.ts", [...args]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, message);
    assert.deepEqual(run.created, []);
  });
