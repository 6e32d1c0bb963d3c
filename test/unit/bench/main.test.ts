import assert from "node:assert/strict";
import { test } from "node:test";
import { assertBadOption, assertHelp, runCommand } from "../../support/command.ts";

test("npm run bench -- --help: the usage with every option, exit 0, no stack started", async () => {
  const run = await runCommand("bench/main.ts", ["--help"]);
  assertHelp(run, /^usage: npm run bench -- \[options\]/);
  for (const option of [
    "--short",
    "--regimes",
    "--product",
    "--ours-env",
    "--candidate",
    "--clients",
    "--repeat N",
    "--only",
    "--latency-runs",
    "--ceiling-only",
    "--no-ceiling",
    "--repeats N",
    "--peers",
  ])
    assert.ok(run.stdout.includes(`  ${option}`), option);
});

test("npm run bench -- --bogus: exit 2 with one line and the usage, not a stack trace", async () => {
  assertBadOption(await runCommand("bench/main.ts", ["--bogus"]), "bench");
});

for (const [args, message] of [
  [["--regimes", "L,X"], /^bench: --regimes takes L, R or L,R; got "L,X"/],
  [["--only", "G99"], /^bench: --only takes goals among G1, .*; got "G99"/],
  [["--ours-env", "{nope"], /^bench: --ours-env wants a JSON object of variables: /],
  [["--repeat", "x"], /^bench: --repeat wants a whole number of at least 1, got "x"/],
] as const)
  test(`npm run bench -- ${args.join(" ")}: exit 2 naming it, before any stack`, async () => {
    const run = await runCommand("bench/main.ts", [...args]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, message);
    assert.doesNotMatch(run.stderr, /^\s+at /m);
    assert.deepEqual(run.created, []);
  });
