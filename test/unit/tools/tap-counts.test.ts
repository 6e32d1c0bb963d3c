import assert from "node:assert/strict";
import { test } from "node:test";
import { tapCounts } from "../../../tools/test/tap-counts.ts";

test("the TAP summary's counts: the last summary wins, a missing count is 0", () => {
  const nested = "# tests 1\n# pass 1\n# fail 0\n";
  const outer =
    "ok 1 - a\nnot ok 2 - b\n# tests 40\n# suites 0\n# pass 37\n# fail 2\n# cancelled 1\n# skipped 0\n";
  assert.deepEqual(tapCounts(`TAP version 13\n${nested}${outer}# duration_ms 12.5\n`), {
    tests: 40,
    pass: 37,
    fail: 2,
    skipped: 0,
    cancelled: 1,
  });
  assert.deepEqual(tapCounts("no summary\n#pass 3\n"), {
    tests: 0,
    pass: 0,
    fail: 0,
    skipped: 0,
    cancelled: 0,
  });
});
