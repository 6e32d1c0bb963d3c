// Bounds that no rollover catches: minute 60 and second 60 inside a day land on the same day, so
// only the field checks refuse them; and what an error calls a number that is not one.

import assert from "node:assert/strict";
import { test } from "node:test";
import { PoisonError } from "../../../../src/core/errors.ts";
import { deriveVersion } from "../../../../src/core/versions/index.ts";
import { describe } from "../../../../src/core/versions/digits.ts";
import { isoToNanos } from "../../../../src/core/versions/iso-time.ts";

test("minute 60 and second 60 are refused in the middle of a day too", () => {
  assert.equal(isoToNanos("2024-06-15T10:60:00Z"), undefined);
  assert.equal(isoToNanos("2024-06-15T10:59:60Z"), undefined);
  assert.notEqual(isoToNanos("2024-06-15T10:59:59Z"), undefined);
});

test("NaN is described as a number, never by its text", () => {
  assert.equal(describe(Number.NaN), "a number");
});

test("a fractional JSON number in a version column is refused as a number, not read as a timestamp", () => {
  assert.throws(
    () =>
      deriveVersion(
        { op: "u", source: undefined, row: { rev: 2.5 }, kafkaOffset: "0" },
        { versionSource: "column", versionColumn: "rev", epoch: 0 },
      ),
    (err: unknown) =>
      err instanceof PoisonError &&
      /column "rev" is not a non-negative integer \(a number with a fraction or an exponent\)$/.test(
        err.message,
      ),
  );
});
