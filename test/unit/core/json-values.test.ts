// Lossless JSON (src/core/json.ts) at its edges: which numbers become JsonNumbers, the canonical
// text that item ids are made of (binary keys, objects, nesting), and own `__proto__` keys.

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  JsonNumber,
  canonicalJson,
  isPlainObject,
  numberText,
  parseJson,
  setOwn,
} from "../../../src/core/json.ts";

test("a number is kept as text exactly when a double would change its source text", () => {
  assert.equal(parseJson("42"), 42);
  assert.equal(parseJson("-7"), -7);
  assert.equal(parseJson("0.5"), 0.5);
  assert.deepEqual(parseJson("1.0"), new JsonNumber("1.0"));
  assert.deepEqual(parseJson("1e2"), new JsonNumber("1e2"));
  assert.deepEqual(parseJson("-0"), new JsonNumber("-0"));
  assert.deepEqual(parseJson("[9007199254740993]"), [new JsonNumber("9007199254740993")]);
  // Strings that look like numbers stay strings: only JSON numbers are revived.
  assert.equal(parseJson('"9007199254740993"'), "9007199254740993");
});

test("a JsonNumber writes itself as its exact text, in strings and in JSON", () => {
  const n = new JsonNumber("18446744073709551615");
  assert.equal(String(n), "18446744073709551615");
  assert.equal(n.toString(), "18446744073709551615");
  assert.equal(JSON.stringify({ n }), '{"n":"18446744073709551615"}');
});

test("numberText: the exact decimal text of numbers and of numeric strings, nothing else", () => {
  assert.equal(numberText(new JsonNumber("1.50")), "1.50");
  assert.equal(numberText(12), "12");
  assert.equal(numberText(-0.25), "-0.25");
  assert.equal(numberText(Number.NaN), undefined);
  assert.equal(numberText(Number.POSITIVE_INFINITY), undefined);
  for (const text of ["0", "-12", "3.25", "1e5", "1E-5", "-2.5e+3"]) assert.equal(numberText(text), text);
  for (const text of ["", "-", "1.", ".5", "1e", "12a", "a12", " 1", "1 ", "+1", "0x10"])
    assert.equal(numberText(text), undefined, JSON.stringify(text));
  assert.equal(numberText(null), undefined);
  assert.equal(numberText(true), undefined);
  assert.equal(numberText([1]), undefined);
});

test("a binary key value is its base64 in a `$b64` wrapper: two byte strings never share an id", () => {
  assert.equal(canonicalJson(new Uint8Array([0xde, 0xad, 0xbe, 0xef])), '{"$b64":"3q2+7w=="}');
  assert.equal(canonicalJson(new Uint8Array([])), '{"$b64":""}');
  assert.notEqual(canonicalJson(new Uint8Array([1])), canonicalJson(new Uint8Array([2])));
  // …and never the id of a string with the same characters.
  assert.notEqual(canonicalJson(new Uint8Array([1])), canonicalJson("AQ=="));
  assert.equal(canonicalJson([new Uint8Array([1]), "x"] as never), '[{"$b64":"AQ=="},"x"]');
});

test("canonical JSON of objects, arrays and scalars: compact, keys escaped, numbers exact", () => {
  assert.equal(canonicalJson({ a: 1, 'b"c': [true, null, "x"] }), '{"a":1,"b\\"c":[true,null,"x"]}');
  assert.equal(canonicalJson({}), "{}");
  assert.equal(canonicalJson([]), "[]");
  assert.equal(canonicalJson([[1], [2, 3]]), "[[1],[2,3]]");
  assert.equal(canonicalJson({ n: new JsonNumber("1.10") }), '{"n":1.10}');
  assert.equal(canonicalJson(null), "null");
  assert.equal(canonicalJson("a:b"), '"a:b"');
  assert.notEqual(canonicalJson({ a: "1" }), canonicalJson({ a: 1 }));
});

test("isPlainObject: JSON objects only", () => {
  assert.equal(isPlainObject({}), true);
  assert.equal(isPlainObject({ a: 1 }), true);
  assert.equal(isPlainObject(null), false);
  assert.equal(isPlainObject([]), false);
  assert.equal(isPlainObject("x"), false);
  assert.equal(isPlainObject(1), false);
  assert.equal(isPlainObject(new JsonNumber("1")), false);
});

test("setOwn keeps a `__proto__` key as an own, enumerable, writable entry", () => {
  const target: Record<string, unknown> = {};
  setOwn(target, "__proto__", 1);
  setOwn(target, "a", 2);
  assert.deepEqual(Object.keys(target), ["__proto__", "a"]);
  assert.equal(Object.getPrototypeOf(target), Object.prototype);
  const d = Object.getOwnPropertyDescriptor(target, "__proto__")!;
  assert.deepEqual(d, { value: 1, enumerable: true, writable: true, configurable: true });
  target["a"] = 3;
  assert.equal(target["a"], 3);
});
