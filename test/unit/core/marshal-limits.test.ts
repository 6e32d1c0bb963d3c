// DynamoDB's Number type at its limits (38 significant digits, magnitudes 1E-130 to below 1E+126),
// the value mapping's refusals, and the size of each attribute type as the 400 KB check counts it
// (src/core/marshal.ts).

import assert from "node:assert/strict";
import { test } from "node:test";
import type { AttributeValue } from "../../../src/core/attribute-value.ts";
import { PoisonError } from "../../../src/core/errors.ts";
import { JsonNumber } from "../../../src/core/json.ts";
import { attributeSize, fitsDynamoNumber, itemSize, toAttribute } from "../../../src/core/marshal.ts";
import type { RowValue } from "../../../src/core/types.ts";

test("38 significant digits fit, 39 do not; leading and trailing zeros are not significant", () => {
  const d38 = "9".repeat(38);
  assert.equal(fitsDynamoNumber(d38), true);
  assert.equal(fitsDynamoNumber(`-${d38}`), true);
  assert.equal(fitsDynamoNumber(`9${d38}`), false);
  assert.equal(fitsDynamoNumber(`0000${d38}`), true);
  assert.equal(fitsDynamoNumber(`${d38}00`), true);
  assert.equal(fitsDynamoNumber(`0.${d38}`), true);
  assert.equal(fitsDynamoNumber(`${"9".repeat(20)}.${"9".repeat(18)}`), true);
  assert.equal(fitsDynamoNumber(`${"9".repeat(20)}.${"9".repeat(19)}`), false);
  assert.equal(fitsDynamoNumber(`1${"0".repeat(60)}`), true, "1E60: one significant digit");
  assert.equal(fitsDynamoNumber(`1.${"0".repeat(60)}`), true);
  assert.equal(fitsDynamoNumber(`0.${"0".repeat(60)}1`), true);
});

test("magnitudes from 1E-130 to 9.99…E+125 fit, beyond either end do not", () => {
  assert.equal(fitsDynamoNumber("1e125"), true);
  assert.equal(fitsDynamoNumber("9.9e125"), true);
  assert.equal(fitsDynamoNumber("10e124"), true);
  assert.equal(fitsDynamoNumber("10e125"), false);
  assert.equal(fitsDynamoNumber("1e126"), false);
  assert.equal(fitsDynamoNumber("1E+125"), true);
  assert.equal(fitsDynamoNumber("1e-130"), true);
  assert.equal(fitsDynamoNumber("10e-131"), true);
  assert.equal(fitsDynamoNumber("1e-131"), false);
  assert.equal(fitsDynamoNumber("0.1e-129"), true);
  assert.equal(fitsDynamoNumber("0.1e-130"), false);
  assert.equal(fitsDynamoNumber(`1${"0".repeat(125)}`), true);
  assert.equal(fitsDynamoNumber(`1${"0".repeat(126)}`), false);
  // Zero fits at any written exponent.
  for (const zero of ["0", "-0", "000", "0.000", "0e999", "0.0e-999"])
    assert.equal(fitsDynamoNumber(zero), true);
});

test("only decimal text is a number", () => {
  for (const text of [
    "",
    "-",
    ".",
    "-.",
    "e5",
    ".e5",
    "1e",
    "1.2.3",
    "abc",
    "0x10",
    "1_000",
    " 1",
    "+1",
    "Infinity",
  ])
    assert.equal(fitsDynamoNumber(text), false, JSON.stringify(text));
  for (const text of [".5", "5.", "-.5", "5.e3"]) assert.equal(fitsDynamoNumber(text), true, text);
});

test("a number DynamoDB cannot hold is stored as its text, from JsonNumbers and JS numbers alike", () => {
  assert.deepEqual(toAttribute(1e300), { S: "1e+300" });
  assert.deepEqual(toAttribute(5e-324), { S: "5e-324" });
  assert.deepEqual(toAttribute(1e125), { N: "1e+125" });
  assert.deepEqual(toAttribute(-0), { N: "0" });
  assert.deepEqual(toAttribute(new JsonNumber("1e126")), { S: "1e126" });
  assert.deepEqual(toAttribute(new JsonNumber("-1.50")), { N: "-1.50" });
});

test("a number that is not finite is poison (invalid_value)", () => {
  for (const n of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
    assert.throws(
      () => toAttribute(n),
      (err: unknown) => err instanceof PoisonError && err.code === "invalid_value",
    );
});

test("31 lists or maps marshal; a 32nd is too deep (for callers that skipped checkNesting)", () => {
  let list: RowValue = 1;
  for (let i = 0; i < 31; i++) list = [list];
  let attr = toAttribute(list);
  for (let i = 0; i < 31; i++) attr = attr.L![0]!;
  assert.deepEqual(attr, { N: "1" });
  assert.throws(
    () => toAttribute([list]),
    (err: unknown) => err instanceof PoisonError && err.code === "too_deep",
  );
  assert.throws(
    () => toAttribute({ a: list }),
    (err: unknown) => err instanceof PoisonError && err.code === "too_deep",
  );
  assert.deepEqual(toAttribute([], 30), { L: [] });
  assert.throws(() => toAttribute({}, 31), PoisonError);
  assert.deepEqual(toAttribute("deep", 99), { S: "deep" }, "scalars have no depth of their own");
});

test("map keys are kept as given, `__proto__` included, in order", () => {
  const row = JSON.parse('{"b":1,"__proto__":{"x":false},"a":null}') as RowValue;
  const m = toAttribute(row).M!;
  assert.deepEqual(Object.keys(m), ["b", "__proto__", "a"]);
  assert.deepEqual(Object.getOwnPropertyDescriptor(m, "__proto__")?.value, { M: { x: { BOOL: false } } });
  assert.deepEqual(toAttribute({}), { M: {} });
  assert.deepEqual(toAttribute([]), { L: [] });
  assert.deepEqual(toAttribute(false), { BOOL: false });
});

test("sizes per type: strings in UTF-8 bytes, numbers one byte per two digits plus one", () => {
  assert.equal(attributeSize({ S: "" }), 0);
  assert.equal(attributeSize({ S: "€" }), 3);
  assert.equal(attributeSize({ S: "😀" }), 4);
  assert.equal(attributeSize({ N: "1" }), 2);
  assert.equal(attributeSize({ N: "12" }), 2);
  assert.equal(attributeSize({ N: "123" }), 3);
  assert.equal(attributeSize({ N: "9".repeat(38) }), 20);
  assert.equal(attributeSize({ N: "-1.5" }), 3);
  assert.equal(attributeSize({ B: new Uint8Array(0) }), 0);
  assert.equal(attributeSize({ B: new Uint8Array(7) }), 7);
  assert.equal(attributeSize({ BOOL: true }), 1);
  assert.equal(attributeSize({ NULL: true }), 1);
  assert.equal(attributeSize({} as AttributeValue), 0);
});

test("sizes of lists and maps: 3 bytes, plus 1 per element, plus names and values", () => {
  assert.equal(attributeSize({ L: [] }), 3);
  assert.equal(attributeSize({ L: [{ NULL: true }] }), 3 + 1 + 1);
  assert.equal(
    attributeSize({ L: [{ S: "abc" }, { N: "12345" }, { L: [] }] }),
    3 + (1 + 3) + (1 + 4) + (1 + 3),
  );
  assert.equal(attributeSize({ M: {} }), 3);
  assert.equal(attributeSize({ M: { ab: { S: "xyz" }, c: { BOOL: true } } }), 3 + (2 + 3) + (1 + 1) + 2);
  assert.equal(attributeSize({ M: { é: { M: {} } } }), 3 + (2 + 3) + 1);
  assert.equal(itemSize({}), 0);
  assert.equal(itemSize({ "€": { N: "1" }, b: { B: new Uint8Array(4) } }), 3 + 2 + 1 + 4);
});

test("a refusal says what was refused", () => {
  assert.throws(() => toAttribute(Number.NaN), { message: "a number is not finite" });
  assert.throws(() => toAttribute([], 31), /^PoisonError: a value nests more than 31 lists or maps/);
});
