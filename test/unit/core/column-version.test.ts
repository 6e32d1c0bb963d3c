// VERSION_SOURCE=column: the delete rule, timestamps to the nanosecond and with their offsets, and
// what is not a counter (docs/versions.md).

import assert from "node:assert/strict";
import { test } from "node:test";
import { PoisonError } from "../../../src/core/errors.ts";
import { JsonNumber } from "../../../src/core/json.ts";
import type { RowValue } from "../../../src/core/types.ts";
import { compareVersions, deriveVersion } from "../../../src/core/versions/index.ts";

const options = { versionSource: "column", versionColumn: "rev", epoch: 0 } as const;

function col(op: "c" | "u" | "d" | "r", value: RowValue | undefined, epoch = 0): string {
  const row: Record<string, RowValue> = value === undefined ? { id: 1 } : { id: 1, rev: value };
  return deriveVersion({ op, source: undefined, row, kafkaOffset: "0" }, { ...options, epoch }).version;
}

test("a delete outranks the update it follows at the same column value", () => {
  // The before image of a delete carries the column value of the last update (issue 13, item 1).
  assert.equal(compareVersions(col("d", 2), col("u", 2)), 1);
  assert.equal(compareVersions(col("d", 2), col("c", 2)), 1);
  assert.equal(compareVersions(col("d", 2), col("r", 2)), 1);
  // …and stays below any change at a higher value: a re-insert whose column moved on applies.
  assert.equal(compareVersions(col("d", 2), col("c", 3)), -1);
  // Replays at the same value: the delete again is duplicate, the update again stale.
  assert.equal(compareVersions(col("d", 2), col("d", 2)), 0);
  // A snapshot read ranks below a streamed change at the same value, as before.
  assert.equal(compareVersions(col("r", 2), col("u", 2)), -1);
});

test("a re-insert with a restarted counter is older than the tombstone (the column must not go back)", () => {
  assert.equal(compareVersions(col("c", 1), col("d", 7)), -1);
});

test("a delete whose before image lacks the version column is poison naming REPLICA IDENTITY FULL", () => {
  assert.throws(
    () => col("d", undefined),
    (err: unknown) =>
      err instanceof PoisonError &&
      err.code === "delete_without_version" &&
      /REPLICA IDENTITY FULL/.test(err.message) &&
      /binlog_row_image=FULL/.test(err.message),
  );
  assert.throws(
    () => col("u", undefined),
    (e: unknown) => e instanceof PoisonError && e.code === "missing_version",
  );
});

test("ISO timestamps keep their nanoseconds (SQL Server datetime2(7), Oracle TIMESTAMP(9))", () => {
  assert.equal(
    compareVersions(col("u", "2024-01-01T00:00:00.123456100Z"), col("u", "2024-01-01T00:00:00.123456900Z")),
    -1,
  );
  assert.equal(
    compareVersions(col("u", "2024-01-01T00:00:00.000000001Z"), col("u", "2024-01-01T00:00:00Z")),
    1,
  );
  assert.equal(col("u", "1970-01-01T00:00:01.5Z"), col("u", 1_500_000_000));
  assert.equal(col("u", "1970-01-01T00:00:00.000000007Z"), col("u", 7));
});

test("ISO timestamps are read in their own offset, not as UTC", () => {
  const utc = col("u", "2024-01-01T10:00:00Z");
  assert.equal(col("u", "2024-01-01T12:00:00+02:00"), utc);
  assert.equal(col("u", "2024-01-01T12:00:00+0200"), utc);
  assert.equal(col("u", "2024-01-01 12:00:00+02"), utc, "PostgreSQL's text form");
  assert.equal(col("u", "2024-01-01T04:30:00-05:30"), utc);
  assert.equal(compareVersions(col("u", "2024-01-01T11:00:00+02:00"), col("u", "2024-01-01T10:30:00Z")), -1);
});

test("what is not a timestamp or a non-negative integer is poison", () => {
  for (const bad of [
    "2024-02-30T00:00:00Z",
    "2024-01-01T24:00:01Z",
    "2024-13-01T00:00:00Z",
    "2024-01-01T00:00:00+24:00",
    "1969-12-31T23:59:59Z",
    "yesterday",
    -1,
    2.5,
    new JsonNumber("2.0"),
    new JsonNumber("1e3"),
    "1e3",
    "2.5",
    true,
  ]) {
    assert.throws(() => col("u", bad), PoisonError, `${String(bad)} was accepted`);
  }
});
