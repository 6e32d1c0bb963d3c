import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { JsonNumber, canonicalJson, parseJson } from "../../../src/core/json.ts";

test("numbers a double cannot hold keep their exact text", () => {
  const v = parseJson(
    '{"lsn":18446744073709551615,"big":9007199254740993,"dec":"x","p":0.10,"safe":42}',
  ) as Record<string, unknown>;
  assert.deepEqual(v["lsn"], new JsonNumber("18446744073709551615"));
  assert.deepEqual(v["big"], new JsonNumber("9007199254740993"));
  assert.deepEqual(v["p"], new JsonNumber("0.10"));
  assert.equal(v["safe"], 42);
});

test("canonical JSON of any 64-bit integer keeps every digit", () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }), (n) => {
      assert.equal(canonicalJson(parseJson(`[${n}]`)), `[${n}]`);
    }),
  );
});

test("malformed JSON throws", () => {
  assert.throws(() => parseJson("{"), SyntaxError);
});
