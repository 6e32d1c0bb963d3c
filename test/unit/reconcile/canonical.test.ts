// Canonical spellings: two texts of one value agree, two values never do.

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  canonicalDecimal,
  canonicalDouble,
  canonicalFloat4,
  canonicalFloat6,
  canonicalJsonText,
  isoDateDays,
  isoInstantMicros,
  intervalDebeziumMicros,
  intervalExact,
  isoInterval,
  zonedTimeMicros,
} from "../../../src/reconcile/canonical.ts";

test("decimals: DynamoDB's normalized N text equals PostgreSQL's, exactly", () => {
  const same: [string, string][] = [
    ["1.50", "1.5"],
    ["1.0E-5", "0.00001"],
    ["1e-05", "0.00001"],
    ["-0.0", "0"],
    ["007", "7"],
    ["1E+2", "100"],
    ["12345678901234567890123456789012345678901.000", "12345678901234567890123456789012345678901"],
  ];
  for (const [a, b] of same) assert.equal(canonicalDecimal(a), canonicalDecimal(b), `${a} = ${b}`);
  assert.notEqual(canonicalDecimal("9007199254740993"), canonicalDecimal("9007199254740992"));
  assert.notEqual(canonicalDecimal("0.1000000000000000000000000000000000000001"), canonicalDecimal("0.1"));
  assert.equal(canonicalDecimal("abc"), undefined);
});

test("property: canonical decimals are exact (the scaled BigInt survives) and spelling-independent", () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
      fc.integer({ min: 0, max: 30 }),
      fc.integer({ min: 0, max: 5 }),
      (unscaled, scale, pad) => {
        const digits = (unscaled < 0n ? -unscaled : unscaled).toString().padStart(scale + 1, "0");
        const magnitude = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
        const text = `${unscaled < 0n ? "-" : ""}${magnitude}`;
        const padded = scale > 0 ? text + "0".repeat(pad) : text;
        assert.equal(canonicalDecimal(padded), canonicalDecimal(text));
        const exp = `${unscaled}e-${scale}`;
        assert.equal(canonicalDecimal(exp), canonicalDecimal(text));
      },
    ),
  );
});

test("floats compare as IEEE values; float4 at single precision", () => {
  assert.equal(canonicalDouble("1.0E-5"), canonicalDouble("1e-05"));
  assert.equal(canonicalDouble("NaN"), "NaN");
  assert.equal(canonicalDouble("-Infinity"), "-Infinity");
  assert.equal(canonicalFloat4("1.1"), canonicalFloat4("1.10000002"));
  assert.notEqual(canonicalDouble("0.1"), canonicalDouble("0.10000000000000002"));
});

test("MySQL FLOAT at 6 significant digits: the binlog's float and the server's text form agree", () => {
  // 1.2345678 stored as a 4-byte float is 1.2345677614212036; MariaDB prints it as 1.23457.
  assert.equal(canonicalFloat6(String(Math.fround(1.2345678))), canonicalFloat6("1.23457"));
  assert.equal(canonicalFloat6("1.2345679"), "1.23457");
  assert.equal(canonicalFloat6("250.5"), "250.5");
  assert.equal(canonicalFloat6("-0.000123456789"), "-0.000123457");
  assert.equal(canonicalFloat6("1e+30"), canonicalFloat6("1.00000e30"));
  assert.notEqual(canonicalFloat6("1.23457"), canonicalFloat6("1.23458"));
  assert.equal(canonicalFloat6("abc"), undefined);
});

test("JSON by value: key order, spacing and number spelling do not matter", () => {
  assert.equal(canonicalJsonText('{"b": [1, 2e3], "a": 1.10}'), canonicalJsonText('{"a":1.1,"b":[1,2000]}'));
  assert.notEqual(canonicalJsonText('{"a": "1"}'), canonicalJsonText('{"a": 1}'));
  assert.equal(
    canonicalJsonText('{"big": 123456789012345678901234567890}'),
    canonicalJsonText('{"big":1.23456789012345678901234567890e29}'),
  );
  assert.equal(canonicalJsonText("{"), undefined);
});

test("instants by instant, dates by day, time zones by UTC time", () => {
  assert.equal(
    isoInstantMicros("2024-05-01T12:00:00.123456+02:00"),
    isoInstantMicros("2024-05-01T10:00:00.123456Z"),
  );
  assert.equal(isoInstantMicros("1969-12-31T23:59:59.999999"), -1n);
  assert.equal(isoDateDays("0001-01-01"), -719162n);
  assert.equal(isoDateDays("1969-12-31Z"), -1n);
  assert.equal(zonedTimeMicros("10:00:00.5+02"), zonedTimeMicros("08:00:00.5Z"));
});

test("intervals: PostgreSQL's iso_8601 style and Debezium's string mode agree", () => {
  const exact = (t: string): string => intervalExact(isoInterval(t)!);
  assert.equal(exact("P-1DT-1S"), exact("P0Y0M-1DT0H0M-1S"));
  assert.equal(exact("P1Y2M3DT4H5M6.7S"), "14mo3d14706700000us");
  assert.equal(isoInterval("P"), undefined);
  // Debezium 3.1 computes seconds through a double: 2.940205 s is written 2.940204999S.
  assert.equal(exact("P1Y10M14DT2H21M2.940204999S"), exact("P1Y10M14DT2H21M2.940205S"));
  assert.equal(exact("P0Y3M-31DT-4H-22M-1.992462999S"), exact("P3M-31DT-4H-22M-1.992463S"));
});

test("intervals in Debezium's numeric mode: the values the real connector sent", () => {
  // Observed on the stack (PostgreSQL's iso_8601 text → Debezium's MicroDuration), 1 µs under exact.
  const seen: [string, bigint][] = [
    ["P1Y2M3DT4H5M6.7S", 37_091_106_700_000n],
    ["P-1DT-1S", -86_401_000_000n],
    ["P1Y2M-23DT-15H-31M-41.198976S", 34_774_098_801_023n],
    ["P2Y2MT-6H-6M-27.936551S", 68_352_812_063_448n],
    ["P1Y27DT1H19M6.190758S", 33_895_146_190_757n],
    ["P7M-12DT-21H-12M-15.375702S", 17_295_464_624_297n],
  ];
  for (const [text, micros] of seen) assert.equal(intervalDebeziumMicros(isoInterval(text)!), micros, text);
});
