// B-ours runs with the image's NODE_OPTIONS (bench/ours.ts reads them from the Dockerfile), so the
// benchmark measures the heap sizes the image ships, and a checkout without them runs Node's own.

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { imageNodeOptions } from "../../../bench/ours.ts";

const ROOT = resolve(import.meta.dirname, "../../..");

test("the image's NODE_OPTIONS cap V8's young and old generations", () => {
  const options = imageNodeOptions(ROOT) ?? "";
  assert.match(options, /--max-semi-space-size=\d+\b/);
  assert.match(options, /--max-old-space-size=\d+\b/);
});

test("quoted, bare or absent ENV NODE_OPTIONS", () => {
  const dir = (text: string | undefined): string => {
    const d = mkdtempSync(join(tmpdir(), "node-options-"));
    if (text !== undefined) writeFileSync(join(d, "Dockerfile"), text);
    return d;
  };
  assert.equal(imageNodeOptions(dir('FROM x\nENV NODE_OPTIONS="--a=1 --b=2"\n')), "--a=1 --b=2");
  assert.equal(imageNodeOptions(dir("FROM x\nENV NODE_OPTIONS=--a=1\n")), "--a=1");
  assert.equal(imageNodeOptions(dir("FROM x\nENV NODE_ENV=production\n")), undefined);
  assert.equal(imageNodeOptions(dir(undefined)), undefined);
});
