import { test } from "node:test";
import { assertBadOption, assertHelp, runCommand } from "../../../support/command.ts";

test("npm run demo -- --help: the usage, exit 0, and no stack started", async () => {
  assertHelp(await runCommand("tools/demo/main.ts", ["--help"]), /^usage: npm run demo -- \[--json\]/);
});

test("npm run demo -- --bogus: exit 2 with one line and the usage, and no stack started", async () => {
  assertBadOption(await runCommand("tools/demo/main.ts", ["--bogus"]), "demo");
});
