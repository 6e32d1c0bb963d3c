// npm run test:clients (tools/test/matrix.ts) keeps the repository's command-line rule
// (tools/cli/args.ts): --help is the usage and starts nothing; a bad option or value is one line and
// the usage on stderr, exit 2, with no stack started and no cell run.

import assert from "node:assert/strict";
import { test } from "node:test";
import { assertBadOption, assertHelp, runCommand } from "../../../support/command.ts";

const CLI = "tools/test/matrix.ts";

test("npm run test:clients -- --help: the usage, exit 0, no stack started and no cell run", async () => {
  assertHelp(await runCommand(CLI, ["--help"]), /^usage: npm run test:clients -- /);
});

test("npm run test:clients -- --bogus: exit 2 with one line and the usage, nothing run", async () => {
  assertBadOption(await runCommand(CLI, ["--bogus"]), "matrix");
});

test("npm run test:clients with a bad cell or Kafka line: exit 2, the reason and the usage", async () => {
  for (const [args, reason] of [
    [["--cells", "nope"], /^matrix: unknown cell "nope": one of kafkajs, confluent, confluent-kip848\n/],
    [["--kafka", "3.9", "--cells", "confluent-kip848"], /^matrix: confluent-kip848 needs Kafka 4/],
    [["--cells", ","], /^matrix: --cells names no cell\n/],
  ] as const) {
    const run = await runCommand(CLI, [...args]);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, reason);
    assert.match(run.stderr, /\nusage: npm run test:clients -- /);
    assert.deepEqual(run.created, []);
  }
});
