// The benchmark's smaller commands, run by hand (docs/performance.md, docs/mapping.md): --help and a
// bad option, as tools/cli/args.ts has them answer.
import { test } from "node:test";
import { assertBadOption, assertHelp, runCommand } from "../../support/command.ts";

for (const [script, usage, command] of [
  [
    "bench/ceiling/profile.ts",
    /^usage: CDC_SINK_STACK_DIR=<running stack> node bench\/ceiling\/profile\.ts/,
    "profile",
  ],
  [
    "bench/ceiling/profile-top.ts",
    /^usage: node bench\/ceiling\/profile-top\.ts <file\.cpuprofile> \[N\]/,
    "profile-top",
  ],
  ["bench/delete-wcu.ts", /^usage: DYNAMODB_ENDPOINT=URL node bench\/delete-wcu\.ts/, "delete-wcu"],
] as const) {
  test(`node ${script} --help: the usage, exit 0, nothing started`, async () => {
    assertHelp(await runCommand(script, ["--help"]), usage);
  });
  test(`node ${script} --bogus: exit 2 with one line and the usage, not a stack trace`, async () => {
    assertBadOption(await runCommand(script, ["--bogus"]), command);
  });
}
