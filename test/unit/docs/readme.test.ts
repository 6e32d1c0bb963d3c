import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { ENV_SPEC } from "../../../src/config/env-spec.ts";
import { CONFIGURATION_MD, renderConfiguration } from "../../../tools/docs/config-table.ts";

const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

test("README starts with the two commands: the demo and the tests", () => {
  const head = readme.split("\n").slice(0, 15).join("\n");
  assert.match(head, /npm ci && npm run demo/);
  assert.match(head, /npm ci && npm test/);
});

test("README documents every exit code of the CLI", () => {
  for (const code of ["0", "1", "2", "3", "4", "5", "6", "7"])
    assert.match(readme, new RegExp(`^\\| ${code}\\s+\\|`, "m"), `exit code ${code}`);
});

test("docs/configuration.md is generated from the config contract and up to date", async () => {
  const onDisk = readFileSync(CONFIGURATION_MD, "utf8");
  assert.equal(onDisk, await renderConfiguration(), "run `npm run docs` to regenerate docs/configuration.md");
  for (const v of ENV_SPEC) assert.ok(onDisk.includes(`| \`${v.name}\``), `${v.name} is in the table`);
});
