import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { ENV_SPEC } from "../../../src/config/env-spec.ts";
import { renderReadme } from "../../../tools/docs/config-table.ts";

const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

test("the README's configuration table is generated from the config contract and up to date", () => {
  assert.equal(readme, renderReadme(readme), "run `npm run docs` to regenerate the table");
  for (const v of ENV_SPEC) assert.ok(readme.includes(`\`${v.name}\``), v.name);
});

test("the README starts with the two commands: the demo and the tests", () => {
  const head = readme.split("\n").slice(0, 30).join("\n");
  assert.match(head, /npm ci && npm run demo/);
  assert.match(head, /npm ci && npm test/);
});

test("every exit code the CLI documents is in the README", () => {
  for (const code of ["0", "1", "2", "3", "4", "5", "6", "7"])
    assert.match(readme, new RegExp(`\\| ${code}\\s+\\|`));
});
