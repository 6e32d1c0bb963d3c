// The plan (avro/plan.ts) on its own: each Avro type → the payload and Connect schema the JSON path
// has for it, name resolution as the Avro specification defines it, and the schemas it refuses.

import assert from "node:assert/strict";
import { test } from "node:test";
import { compilePlan, floatValue, longValue } from "../../../../src/core/avro/plan.ts";
import { JsonNumber } from "../../../../src/core/json.ts";
import { poisonCode as code } from "../../../support/poison.ts";

test("longs: JS numbers while exact, exact text beyond 2^53 either way", () => {
  const max = 2n ** 53n - 1n;
  assert.equal(longValue(max), Number(max));
  assert.equal(longValue(-max), -Number(max));
  assert.deepEqual(longValue(max + 1n), new JsonNumber("9007199254740992"));
  assert.deepEqual(longValue(-max - 1n), new JsonNumber("-9007199254740992"));
  assert.equal(compilePlan("long").convert(5n), 5);
});

test("doubles and floats: IEEE specials as JsonConverter's strings, floats as their shortest decimal", () => {
  const double = compilePlan("double");
  assert.equal(double.convert(NaN), "NaN");
  assert.equal(double.convert(Infinity), "Infinity");
  assert.equal(double.convert(-Infinity), "-Infinity");
  assert.equal(double.convert(1.5), 1.5);
  assert.equal(floatValue(NaN), "NaN");
  assert.equal(floatValue(-Infinity), "-Infinity");
  assert.equal(floatValue(0), 0);
  assert.equal(floatValue(Math.fround(1.1)), 1.1);
  assert.equal(floatValue(Math.fround(-0.3)), -0.3);
  assert.equal(floatValue(Math.fround(16777216)), 16777216);
  assert.equal(compilePlan({ type: "float" }).convert(Math.fround(2.7)), 2.7);
});

test("null, boolean, int, string and enum keep their value and need no schema", () => {
  for (const [schema, value] of [
    ["null", null],
    ["boolean", true],
    ["int", -3],
    ["string", "x"],
  ] as const) {
    const p = compilePlan(schema);
    assert.equal(p.branch, schema);
    assert.equal(p.convert(value), value);
    assert.equal(p.connect(), undefined);
  }
  const e = compilePlan({ type: "enum", name: "Mood", namespace: "a.b", symbols: ["happy"] });
  assert.equal(e.branch, "a.b.Mood");
  assert.equal(e.convert("happy"), "happy");
  assert.equal(e.connect(), undefined);
});

test("bytes travel as base64 beside a bytes schema; decimals as exact numbers", () => {
  const bytes = compilePlan("bytes");
  assert.equal(bytes.convert(Buffer.from([0, 255])), "AP8=");
  assert.deepEqual(bytes.connect(), { type: "bytes" });
  const dec = compilePlan({ type: "bytes", logicalType: "decimal", scale: 2 });
  assert.deepEqual(dec.convert(Buffer.from([0x04, 0xd2])), new JsonNumber("12.34"));
  assert.equal(dec.connect(), undefined);
  const connect = (parameters: unknown) =>
    compilePlan({
      type: "bytes",
      "connect.name": "org.apache.kafka.connect.data.Decimal",
      "connect.parameters": parameters,
    }).convert(Buffer.from([0x04, 0xd2]));
  assert.deepEqual(connect({ scale: "3" }), new JsonNumber("1.234"));
  assert.deepEqual(connect({ scale: "-1" }), new JsonNumber("12340"));
  for (const bad of [{ scale: "x3" }, { scale: "3x" }, { scale: "12345678901" }, { scale: 3 }, "3", null])
    assert.deepEqual(connect(bad), new JsonNumber("1234"), JSON.stringify(bad));
  const fixed = compilePlan({ type: "fixed", name: "F", size: 2 });
  assert.equal(fixed.branch, "F");
  assert.equal(fixed.convert(Buffer.from([1, 2])), "AQI=");
});

test("arrays and maps: items converted, Connect's array and map schemas", () => {
  const arr = compilePlan({ type: "array", items: "bytes" });
  assert.equal(arr.branch, "array");
  assert.deepEqual(arr.convert([Buffer.from([1])]), ["AQ=="]);
  assert.deepEqual(arr.connect(), { type: "array", items: { type: "bytes" } });
  assert.deepEqual(compilePlan({ type: "array", items: "int" }).connect(), { type: "array", items: {} });
  const map = compilePlan({ type: "map", values: "long" });
  assert.equal(map.branch, "array");
  const out = map.convert([
    { key: "__proto__", value: 1n },
    { key: "n", value: 2n },
  ]);
  assert.deepEqual(Object.keys(out as object), ["__proto__", "n"]);
  assert.equal((out as Record<string, unknown>)["n"], 2);
  assert.deepEqual(map.connect(), { type: "map" });
});

test("unions: null, or the named branch; Connect's optional field takes its one type's schema", () => {
  const opt = compilePlan(["null", "bytes"]);
  assert.equal(opt.branch, "union");
  assert.equal(opt.convert(null), null);
  assert.equal(opt.convert({ bytes: Buffer.from([1]) }), "AQ==");
  assert.deepEqual(opt.connect(), { type: "bytes" });
  const two = compilePlan(["null", "bytes", "string"]);
  assert.equal(two.connect(), undefined);
  assert.equal(
    code(() => two.convert({ int: 1 })),
    "avro_schema_invalid",
  );
  assert.equal(
    code(() => two.convert({})),
    "avro_schema_invalid",
  );
});

test("records: fields in order, a Connect struct schema built once; a record may contain itself", () => {
  const schema = {
    type: "record",
    name: "Node",
    namespace: "t",
    fields: [
      { name: "b", type: "bytes" },
      { name: "next", type: ["null", "Node"] },
      { name: "n", type: { type: "int" } },
    ],
  };
  const p = compilePlan(schema);
  assert.equal(p.branch, "t.Node");
  const v = p.convert({
    b: Buffer.from([1]),
    next: { "t.Node": { b: Buffer.from([2]), next: null, n: 2 } },
    n: 1,
  });
  assert.deepEqual(v, { b: "AQ==", next: { b: "Ag==", next: null, n: 2 }, n: 1 });
  const connect = p.connect();
  assert.deepEqual(connect, {
    type: "struct",
    fields: [{ type: "bytes", field: "b" }, { type: "struct", field: "next" }, { field: "n" }],
  });
  assert.equal(p.connect(), connect, "built once");
});

test("names resolve through namespaces: a short name in its namespace, a full name as is", () => {
  const schema = {
    type: "record",
    name: "a.b.Outer",
    fields: [
      { name: "x", type: { type: "fixed", name: "Id", size: 1 } },
      { name: "y", type: "Id" },
      { name: "z", type: "a.b.Id" },
      { name: "w", type: { type: "enum", name: "E", namespace: "", symbols: ["s"] } },
      { name: "v", type: "E" },
      {
        name: "u",
        type: { type: "record", name: "In", namespace: "c", fields: [{ name: "i", type: "In2" }] },
      },
    ],
  };
  assert.equal(
    code(() => compilePlan(schema)),
    "avro_schema_invalid",
    "In2 is undefined in namespace c",
  );
  schema.fields.pop();
  const p = compilePlan(schema);
  const one = Buffer.from([9]);
  assert.deepEqual(p.convert({ x: one, y: one, z: one, w: "s", v: "s" }), {
    x: "CQ==",
    y: "CQ==",
    z: "CQ==",
    w: "s",
    v: "s",
  });
});

test("unusable schemas are avro_schema_invalid", () => {
  for (const bad of [
    "Nowhere",
    5,
    null,
    { type: "record", fields: [] },
    { type: "record", name: "R" },
    { type: "record", name: "R", fields: [{ type: "int" }] },
    { type: "record", name: "R", fields: ["x"] },
    { type: "enum", symbols: ["a"] },
  ])
    assert.equal(
      code(() => compilePlan(bad)),
      "avro_schema_invalid",
      JSON.stringify(bad),
    );
});

test("Debezium's VariableScaleDecimal: the unscaled bytes at their own scale", () => {
  const p = compilePlan({
    type: "record",
    name: "VariableScaleDecimal",
    namespace: "io.debezium.data",
    "connect.name": "io.debezium.data.VariableScaleDecimal",
    fields: [
      { name: "scale", type: "int" },
      { name: "value", type: "bytes" },
    ],
  });
  assert.deepEqual(p.convert({ scale: 1, value: Buffer.from([0x7b]) }), new JsonNumber("12.3"));
  assert.equal(
    code(() => p.convert({ scale: "1", value: Buffer.from([1]) })),
    "invalid_decimal",
  );
  assert.equal(
    code(() => p.convert({ scale: 1, value: "AQ==" })),
    "invalid_decimal",
  );
});

test("more edges: -0 stays -0, a two-digit Connect scale, error records, a record used by reference", () => {
  assert.ok(Object.is(floatValue(-0), -0), "Java writes -0.0f as -0.0");
  const dec = compilePlan({
    type: "bytes",
    "connect.name": "org.apache.kafka.connect.data.Decimal",
    "connect.parameters": { scale: "12" },
  });
  assert.deepEqual(dec.convert(Buffer.from([0x04, 0xd2])), new JsonNumber("0.000000001234"));
  const err = compilePlan({ type: "error", name: "Oops", fields: [{ name: "b", type: "bytes" }] });
  assert.deepEqual(err.convert({ b: Buffer.from([1]) }), { b: "AQ==" });
  const outer = compilePlan({
    type: "record",
    name: "Outer",
    fields: [
      { name: "a", type: { type: "record", name: "In", fields: [{ name: "n", type: "int" }] } },
      { name: "b", type: { type: "In" } },
    ],
  });
  assert.deepEqual(outer.convert({ a: { n: 1 }, b: { n: 2 } }), { a: { n: 1 }, b: { n: 2 } });
});
