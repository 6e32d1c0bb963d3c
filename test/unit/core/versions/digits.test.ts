// The shared parts of every version scheme (src/core/versions/digits.ts): 20-digit padding, the
// epoch's four digits, and error texts that say what a bad value was without quoting it (a version
// column is row data; DLQ headers and logs must not carry row values).

import assert from "node:assert/strict";
import { test } from "node:test";
import { PoisonError } from "../../../../src/core/errors.ts";
import { JsonNumber } from "../../../../src/core/json.ts";
import { WIDTH, describe, epochText, missing, pad } from "../../../../src/core/versions/digits.ts";

function poison(fn: () => unknown): PoisonError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PoisonError, String(err));
    return err;
  }
  assert.fail("no PoisonError thrown");
}

test("every number of a version is 20 digits: 2^64 - 1 fits, one digit more does not", () => {
  assert.equal(WIDTH, 20);
  assert.equal(pad(0, "x"), "00000000000000000000");
  assert.equal(pad(7, "x"), "00000000000000000007");
  assert.equal(pad(new JsonNumber("18446744073709551615"), "x"), "18446744073709551615");
  assert.equal(pad("99999999999999999999", "x"), "99999999999999999999");
  const over = poison(() => pad("100000000000000000000", "source.pos"));
  assert.equal(over.code, "missing_version");
  assert.match(over.message, /source\.pos has more than 20 digits/);
});

test("leading zeros are dropped before the width check, so equal numbers get equal digits", () => {
  assert.equal(pad("007", "x"), pad(7, "x"));
  assert.equal(pad("0", "x"), pad(0, "x"));
  assert.equal(pad("000", "x"), "00000000000000000000");
  // 25 digits of which 5 are leading zeros: 20 significant digits fit.
  assert.equal(pad("0000018446744073709551615", "x"), "18446744073709551615");
});

test("only digits are a position: a fraction, an exponent, a sign or a non-number is poison", () => {
  for (const value of [1.5, "2.0", "1e3", new JsonNumber("1E3"), -1, "-0", "", "12a", null, true, [1], {}]) {
    const err = poison(() => pad(value, "the column"));
    assert.equal(err.code, "missing_version", JSON.stringify(value));
    assert.match(err.message, /^cannot derive a version: the column is not a non-negative integer \(/);
  }
});

test("an error says what a value was (type and size), never the value itself", () => {
  assert.equal(describe(null), "null");
  assert.equal(describe(undefined), "null");
  assert.equal(describe("secret"), "a string of 6 characters");
  assert.equal(describe(false), "a boolean");
  assert.equal(describe(12), "a number");
  assert.equal(describe(-12), "a negative number");
  assert.equal(describe(1.25), "a number with a fraction or an exponent");
  assert.equal(describe(new JsonNumber("-1E5")), "a negative number with a fraction or an exponent");
  assert.equal(describe(new JsonNumber("3e2")), "a number with a fraction or an exponent");
  assert.equal(describe(new Uint8Array(3)), "3 bytes");
  assert.equal(describe([1, 2]), "an array of 2 items");
  assert.equal(describe({ a: 1 }), "an object");
  // Through pad: the message names the shape of the value, not its digits or text.
  assert.match(poison(() => pad("s3cr3t", "rev")).message, /\(a string of 6 characters\)$/);
  assert.doesNotMatch(poison(() => pad("s3cr3t", "rev")).message, /s3cr3t/);
  assert.match(poison(() => pad(-42, "rev")).message, /\(a negative number\)$/);
  assert.doesNotMatch(poison(() => pad(-42, "rev")).message, /42/);
});

test("missing builds the missing_version poison with its reason", () => {
  const err = missing("source.lsn is absent");
  assert.ok(err instanceof PoisonError);
  assert.equal(err.code, "missing_version");
  assert.equal(err.message, "cannot derive a version: source.lsn is absent");
});

test("the epoch is four digits, so every epoch compares as text like its number", () => {
  assert.equal(epochText(0), "0000");
  assert.equal(epochText(7), "0007");
  assert.equal(epochText(42), "0042");
  assert.equal(epochText(9999), "9999");
  assert.ok(epochText(9) < epochText(10));
});
