// ISO-8601 timestamps as nanoseconds since the epoch (src/core/versions/iso-time.ts): every offset
// form Debezium and the databases write, every fraction length up to nanoseconds, and the bounds of
// each field — a timestamp read wrongly orders a row's changes wrongly.

import assert from "node:assert/strict";
import { test } from "node:test";
import { isoToNanos } from "../../../../src/core/versions/iso-time.ts";

const S = 1_000_000_000n;
const nanos = (iso: string) => {
  const text = isoToNanos(iso);
  assert.notEqual(text, undefined, iso);
  return BigInt(text!);
};
// Milliseconds of a UTC instant, checked against Date's own reading.
const utc = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;

test("the epoch itself is 0, and one second later 10^9", () => {
  assert.equal(isoToNanos("1970-01-01T00:00:00Z"), "0");
  assert.equal(isoToNanos("1970-01-01T00:00:01Z"), "1000000000");
  assert.equal(isoToNanos("1970-01-01 00:00:00"), "0");
});

test("an offset is applied in every form: +02:00, +0200, +02, -05:30, Z and z", () => {
  const at = utc("2024-03-10T10:00:00Z");
  assert.equal(nanos("2024-03-10T12:00:00+02:00"), at);
  assert.equal(nanos("2024-03-10T12:00:00+0200"), at);
  assert.equal(nanos("2024-03-10T12:00:00+02"), at);
  assert.equal(nanos("2024-03-10T04:30:00-05:30"), at);
  assert.equal(nanos("2024-03-10T10:00:00Z"), at);
  assert.equal(nanos("2024-03-10T10:00:00z"), at);
  assert.equal(nanos("2024-03-10T10:00:00"), at, "no offset: UTC, as Debezium writes");
  assert.equal(nanos("2024-03-10T10:00:00+00:00"), at);
  assert.equal(nanos("2024-03-10T10:00:00-00:00"), at);
  // A minutes-only difference: +00:30 is 30 minutes before the same wall time in UTC.
  assert.equal(nanos("2024-03-10T10:30:00+00:30"), at);
  assert.equal(nanos("2024-03-10T23:59:00+23:59"), utc("2024-03-10T00:00:00Z"));
});

test("every fraction length to the nanosecond, with a dot or a comma", () => {
  const base = utc("2024-01-01T00:00:00Z");
  assert.equal(nanos("2024-01-01T00:00:00.1Z"), base + 100_000_000n);
  assert.equal(nanos("2024-01-01T00:00:00,5Z"), base + 500_000_000n);
  assert.equal(nanos("2024-01-01T00:00:00.000001Z"), base + 1_000n);
  assert.equal(nanos("2024-01-01T00:00:00.0000001Z"), base + 100n, "SQL Server datetime2(7)");
  assert.equal(nanos("2024-01-01T00:00:00.123456789Z"), base + 123_456_789n, "Oracle TIMESTAMP(9)");
  assert.equal(nanos("2024-01-01T00:00:00.999999999+01:00"), base - 3600n * S + 999_999_999n);
  assert.equal(isoToNanos("2024-01-01T00:00:00.1234567890Z"), undefined, "ten digits");
  assert.equal(isoToNanos("2024-01-01T00:00:00.Z"), undefined);
});

test("the last valid value of each field is read, the first invalid one refused", () => {
  assert.equal(nanos("2024-12-31T23:59:59Z"), utc("2024-12-31T23:59:59Z"));
  assert.equal(nanos("2024-02-29T00:00:00Z"), utc("2024-02-29T00:00:00Z"), "a leap day");
  for (const bad of [
    "2024-12-31T24:00:00Z",
    "2024-12-31T23:60:00Z",
    "2024-12-31T23:59:60Z",
    "2023-02-29T00:00:00Z",
    "2024-02-30T00:00:00Z",
    "2024-04-31T00:00:00Z",
    "2024-13-01T00:00:00Z",
    "2024-00-10T00:00:00Z",
    "2024-01-00T00:00:00Z",
    "2024-12-32T00:00:00Z",
    "2024-01-01T00:00:00+24:00",
    "2024-01-01T00:00:00+01:60",
  ])
    assert.equal(isoToNanos(bad), undefined, bad);
});

test("instants before 1970 are refused, in the year or through the offset", () => {
  assert.equal(isoToNanos("1969-12-31T23:59:59Z"), undefined);
  assert.equal(isoToNanos("1970-01-01T00:30:00+01:00"), undefined, "23:30 UTC the day before");
  assert.equal(nanos("1970-01-01T01:00:00+01:00"), 0n);
  assert.equal(nanos("1970-01-01T00:00:00-01:00"), 3600n * S);
  // A 1969 local time west of Greenwich can be a 1970 instant: it is the instant that counts.
  assert.equal(nanos("1969-12-31T23:00:00-05:00"), 4n * 3600n * S);
  assert.equal(nanos("1969-12-31T19:00:00.5-05:00"), S / 2n);
  assert.equal(isoToNanos("1969-12-31T18:59:59.999-05:00"), undefined, "a ms before the epoch");
  // Date.UTC reads years 0-99 as 1900-1999: year 70 must not pass as 1970.
  assert.equal(isoToNanos("0070-01-01T01:00:00Z"), undefined);
});

test("anything but a whole timestamp is refused", () => {
  for (const bad of [
    "",
    "2024-01-01",
    "2024-01-01T00:00Z",
    "2024-01-01T00:00:00ZZ",
    " 2024-01-01T00:00:00Z",
    "2024-01-01T00:00:00Z ",
    "x2024-01-01T00:00:00Z",
    "2024-01-01X00:00:00Z",
    "2024-01-01T00:00:00+2",
    "2024-01-01T00:00:00+02:0",
    "24-01-01T00:00:00Z",
  ])
    assert.equal(isoToNanos(bad), undefined, JSON.stringify(bad));
});

test("20 digits of nanoseconds reach past the year 5000, still ordered", () => {
  assert.ok(nanos("5000-01-01T00:00:00Z") > nanos("4999-12-31T23:59:59.999999999Z"));
  assert.equal(isoToNanos("5000-01-01T00:00:00Z")!.length, 20);
});
