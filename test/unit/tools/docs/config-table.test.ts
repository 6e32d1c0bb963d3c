import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { test } from "node:test";
import { CONFIGURATION_MD } from "../../../../tools/docs/config-table.ts";
import { assertBadOption, assertHelp, runCommand } from "../../../support/command.ts";

test("npm run docs -- --help: the usage, exit 0, docs/configuration.md left alone", async () => {
  const before = statSync(CONFIGURATION_MD).mtimeMs;
  assertHelp(
    await runCommand("tools/docs/config-table.ts", ["--help"]),
    /^usage: npm run docs -- \[--json\]/,
  );
  assert.equal(statSync(CONFIGURATION_MD).mtimeMs, before);
});

test("npm run docs -- --bogus: exit 2 with one line and the usage, nothing written", async () => {
  const before = statSync(CONFIGURATION_MD).mtimeMs;
  assertBadOption(await runCommand("tools/docs/config-table.ts", ["--bogus"]), "docs");
  assert.equal(statSync(CONFIGURATION_MD).mtimeMs, before);
});
