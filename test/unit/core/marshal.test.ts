import assert from "node:assert/strict";
import { test } from "node:test";
import { JsonNumber } from "../../../src/core/json.ts";
import { fitsDynamoNumber, itemSize, toAttribute } from "../../../src/core/marshal.ts";

test("values map to DynamoDB types exactly", () => {
  assert.deepEqual(toAttribute(null), { NULL: true });
  assert.deepEqual(toAttribute(true), { BOOL: true });
  assert.deepEqual(toAttribute(""), { S: "" });
  assert.deepEqual(toAttribute(1.5), { N: "1.5" });
  assert.deepEqual(toAttribute(new JsonNumber("18446744073709551615")), { N: "18446744073709551615" });
  assert.deepEqual(toAttribute(new Uint8Array([1])), { B: new Uint8Array([1]) });
  assert.deepEqual(toAttribute([1, "a"]), { L: [{ N: "1" }, { S: "a" }] });
  assert.deepEqual(toAttribute({ a: { b: null } }), { M: { a: { M: { b: { NULL: true } } } } });
});

test("numbers DynamoDB cannot hold exactly are kept as strings, never rounded", () => {
  assert.ok(fitsDynamoNumber("12345678901234567890123456789012345678"));
  assert.ok(!fitsDynamoNumber("123456789012345678901234567890123456789"));
  assert.ok(fitsDynamoNumber("1.000000000000000000000000000000000000000000"));
  assert.ok(!fitsDynamoNumber("1e126"));
  assert.ok(fitsDynamoNumber("1e-130"));
  assert.deepEqual(toAttribute(new JsonNumber("123456789012345678901234567890123456789")), {
    S: "123456789012345678901234567890123456789",
  });
});

test("item size counts names and values", () => {
  assert.equal(itemSize({ ab: { S: "xyz" } }), 5);
  assert.ok(itemSize({ a: { S: "é" } }) === 3);
});
