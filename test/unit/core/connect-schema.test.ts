// Connect schemas (src/core/connect-schema.ts), function by function: which values a schema
// converts (decimals, bytes, arrays, structs), which it leaves as they are, the bounds of a decimal,
// and the JsonConverter wrapper.

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  MAX_DECIMAL_BYTES,
  MAX_DECIMAL_SCALE,
  convertStruct,
  convertValue,
  decimalFromBytes,
  fieldSchema,
  schemaFields,
  unwrap,
  type ConnectSchema,
} from "../../../src/core/connect-schema.ts";
import { PoisonError } from "../../../src/core/errors.ts";
import { JsonNumber, type JsonValue } from "../../../src/core/json.ts";

const DECIMAL = "org.apache.kafka.connect.data.Decimal";
const VARIABLE = "io.debezium.data.VariableScaleDecimal";
const b64 = (...bytes: number[]) => Buffer.from(bytes).toString("base64");

function code(fn: () => unknown): string {
  try {
    fn();
    return "ok";
  } catch (err) {
    assert.ok(err instanceof PoisonError, String(err));
    return err.code;
  }
}

test("decimal bounds: scale ±16383 and 64 KiB of digits decode, one more is poison", () => {
  assert.equal(MAX_DECIMAL_SCALE, 16383);
  assert.equal(MAX_DECIMAL_BYTES, 65536);
  assert.equal(decimalFromBytes(new Uint8Array([1]), 16383), `0.${"0".repeat(16382)}1`);
  assert.equal(decimalFromBytes(new Uint8Array([1]), -16383), `1${"0".repeat(16383)}`);
  assert.equal(
    code(() => decimalFromBytes(new Uint8Array([1]), 16384)),
    "invalid_decimal",
  );
  assert.equal(
    code(() => decimalFromBytes(new Uint8Array([1]), -16384)),
    "invalid_decimal",
  );
  assert.equal(
    code(() => decimalFromBytes(new Uint8Array([1]), Number.NaN)),
    "invalid_decimal",
  );
  assert.equal(
    code(() => decimalFromBytes(new Uint8Array([1]), 0.5)),
    "invalid_decimal",
  );
  const max = new Uint8Array(MAX_DECIMAL_BYTES);
  max[MAX_DECIMAL_BYTES - 1] = 7;
  assert.equal(decimalFromBytes(max, 0), "7");
  assert.equal(
    code(() => decimalFromBytes(new Uint8Array(MAX_DECIMAL_BYTES + 1), 0)),
    "invalid_decimal",
  );
});

test("decimal digits: two's complement, every scale sign, zero", () => {
  assert.equal(decimalFromBytes(new Uint8Array([0x7f]), 0), "127");
  assert.equal(decimalFromBytes(new Uint8Array([0x80]), 0), "-128");
  assert.equal(decimalFromBytes(new Uint8Array([0x00, 0x80]), 0), "128");
  assert.equal(decimalFromBytes(new Uint8Array([0xff, 0x7f]), 0), "-129");
  assert.equal(decimalFromBytes(new Uint8Array([0x30, 0x39]), 2), "123.45");
  assert.equal(decimalFromBytes(new Uint8Array([0x30, 0x39]), 5), "0.12345");
  assert.equal(decimalFromBytes(new Uint8Array([0x30, 0x39]), 6), "0.012345");
  assert.equal(decimalFromBytes(new Uint8Array([0xcf, 0xc7]), 1), "-1234.5");
  assert.equal(decimalFromBytes(new Uint8Array([0xcf, 0xc7]), -1), "-123450");
  assert.equal(decimalFromBytes(new Uint8Array([0xff]), 2), "-0.01");
  assert.equal(decimalFromBytes(new Uint8Array([0x00]), 0), "0");
  assert.equal(decimalFromBytes(new Uint8Array([0x00]), 1), "0.0");
  assert.equal(decimalFromBytes(new Uint8Array([]), 0), "0");
  assert.equal(decimalFromBytes(new Uint8Array([]), -2), "0");
});

test("a Decimal's scale parameter is digits with an optional sign, default 0; nothing else", () => {
  const dec = (scale?: string): ConnectSchema => ({
    type: "bytes",
    name: DECIMAL,
    ...(scale === undefined ? {} : { parameters: { scale } }),
  });
  assert.deepEqual(convertValue(b64(0x30, 0x39), dec("2")), new JsonNumber("123.45"));
  assert.deepEqual(convertValue(b64(0x30, 0x39), dec("12")), new JsonNumber("0.000000012345"));
  assert.deepEqual(convertValue(b64(0x30, 0x39), dec("-2")), new JsonNumber("1234500"));
  assert.deepEqual(convertValue(b64(0x30, 0x39), dec("0")), new JsonNumber("12345"));
  assert.deepEqual(convertValue(b64(0x30, 0x39), dec()), new JsonNumber("12345"));
  assert.deepEqual(convertValue(b64(0x30, 0x39), { name: DECIMAL, parameters: {} }), new JsonNumber("12345"));
  // Strings Number() would read as something: empty, spaced, hex, exponent, a plus sign.
  for (const scale of ["", " 2", "2 ", "0x10", "1e1", "+2", "2.0", "x2", "2x", "12345678901"])
    assert.equal(
      code(() => convertValue(b64(1), dec(scale))),
      "invalid_decimal",
      JSON.stringify(scale),
    );
});

test("a VariableScaleDecimal carries its scale beside the value, default 0", () => {
  const schema = { type: "struct", name: VARIABLE };
  assert.deepEqual(convertValue({ scale: 3, value: b64(0x30, 0x39) }, schema), new JsonNumber("12.345"));
  assert.deepEqual(convertValue({ value: b64(0x30, 0x39) }, schema), new JsonNumber("12345"));
  assert.deepEqual(convertValue({ scale: -1, value: b64(5) }, schema), new JsonNumber("50"));
  assert.equal(
    code(() => convertValue({ scale: "3", value: b64(5) }, schema)),
    "ok",
  );
  assert.equal(
    code(() => convertValue({ scale: true, value: b64(5) }, schema)),
    "invalid_decimal",
  );
  // An array whose text is digits (String([5]) is "5") is still no scale.
  assert.equal(
    code(() => convertValue({ scale: [5], value: b64(5) }, schema)),
    "invalid_decimal",
  );
  // Not its shape: passed through as it is.
  assert.deepEqual(convertValue({ scale: 1, value: 5 }, schema), { scale: 1, value: 5 });
  assert.equal(convertValue("AQ==", schema), "AQ==");
});

test("values a schema does not describe stay as they are", () => {
  assert.equal(convertValue(12, { type: "bytes", name: DECIMAL, parameters: { scale: "2" } }), 12);
  assert.equal(convertValue(12, { type: "bytes" }), 12);
  assert.equal(convertValue("AQI=", undefined), "AQI=");
  assert.equal(convertValue("AQI=", { type: "string" }), "AQI=");
  assert.equal(convertValue(null, { type: "bytes" }), null);
  assert.deepEqual(convertValue("AQI=", { type: "bytes" }), new Uint8Array([1, 2]));
  assert.deepEqual(convertValue([1], { type: "struct" }), [1]);
  assert.deepEqual(convertValue({ a: 1 }, { type: "array" }), { a: 1 });
  assert.equal(convertValue("x", { type: "array", items: { type: "bytes" } }), "x");
});

test("arrays and structs convert their items and fields by their schemas", () => {
  const arr: ConnectSchema = { type: "array", items: { type: "bytes" } };
  assert.deepEqual(convertValue(["AQ==", "Ag=="], arr), [new Uint8Array([1]), new Uint8Array([2])]);
  const struct: ConnectSchema = {
    type: "struct",
    fields: [
      { field: "b", type: "bytes" },
      { field: "s", type: "string" },
    ],
  };
  assert.deepEqual(convertValue({ s: "AQ==", b: "AQ==", extra: "AQ==" }, struct), {
    s: "AQ==",
    b: new Uint8Array([1]),
    extra: "AQ==",
  });
  assert.deepEqual(Object.keys(convertStruct({ z: 1, a: 2 }, undefined)), ["z", "a"], "payload order");
  const proto = convertStruct(JSON.parse('{"__proto__":"AQ=="}') as Record<string, JsonValue>, {
    type: "struct",
    fields: [{ field: "__proto__", type: "bytes" }],
  });
  assert.deepEqual(Object.keys(proto), ["__proto__"]);
  assert.deepEqual(Object.getOwnPropertyDescriptor(proto, "__proto__")?.value, new Uint8Array([1]));
});

test("nesting: 31 lists or structs convert, a 32nd is too deep; scalars at any depth are fine", () => {
  let schema: ConnectSchema = { type: "int32" };
  let value: JsonValue = 1;
  for (let i = 0; i < 31; i++) {
    schema = { type: "array", items: schema };
    value = [value];
  }
  assert.equal(
    code(() => convertValue(value, schema)),
    "ok",
  );
  assert.equal(
    code(() => convertValue([value], { type: "array", items: schema })),
    "too_deep",
  );
  assert.equal(
    code(() => convertValue({ a: value }, { type: "struct", fields: [{ field: "a", ...schema }] })),
    "too_deep",
  );
  assert.equal(convertValue(5, { type: "int32" }, 40), 5);
  assert.equal(
    code(() => convertValue([], { type: "array" }, 31)),
    "too_deep",
  );
  assert.equal(
    code(() => convertValue({}, { type: "struct" }, 31)),
    "too_deep",
  );
  assert.deepEqual(convertValue([], { type: "array" }, 30), []);
});

test("schemaFields and fieldSchema read a malformed schema as one without fields", () => {
  const a = { field: "a", type: "int32" };
  assert.deepEqual(schemaFields({ type: "struct", fields: [a, null, 1, "x", [], { field: "b" }] as never }), [
    a,
    { field: "b" },
  ]);
  assert.deepEqual(schemaFields({ fields: {} as never }), []);
  assert.deepEqual(schemaFields(undefined), []);
  assert.equal(fieldSchema({ fields: [a] }, "a"), a);
  assert.equal(fieldSchema({ fields: [a] }, "b"), undefined);
});

test("unwrap splits {schema, payload} only when those are the two and only keys", () => {
  const schema = { type: "struct" };
  assert.deepEqual(unwrap({ schema, payload: { id: 1 } }), { payload: { id: 1 }, schema });
  assert.deepEqual(unwrap({ schema: null, payload: 1 }), { payload: 1, schema: undefined });
  assert.deepEqual(unwrap({ schema: "x", payload: null }), { payload: null, schema: undefined });
  for (const json of [
    { schema, payload: 1, extra: 1 },
    { schema, other: 1 },
    { payload: 1, other: 1 },
    [1],
    5,
    null,
  ])
    assert.deepEqual(unwrap(json as JsonValue), { payload: json, schema: undefined });
});

test("a refused decimal or nesting says which limit, and where", () => {
  const message = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof PoisonError);
      return err.message;
    }
    assert.fail("accepted");
  };
  assert.equal(
    message(() => decimalFromBytes(new Uint8Array([1]), 16384)),
    "a decimal value has a scale that is not an integer within ±16383",
  );
  assert.equal(
    message(() => decimalFromBytes(new Uint8Array(MAX_DECIMAL_BYTES + 1), 0)),
    "a decimal value has 65537 bytes of digits, over 65536",
  );
  assert.match(
    message(() => convertValue([], { type: "array" }, 31)),
    /^a column nests more than 31 /,
  );
});
