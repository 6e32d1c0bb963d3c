// The reader (avro/reader.ts): the schema rewritten for avsc (forAvsc) and a compiled reader.

import assert from "node:assert/strict";
import { test } from "node:test";
import { compileReader, forAvsc } from "../../../../src/core/avro/reader.ts";
import { PoisonError } from "../../../../src/core/errors.ts";
import { avroBody } from "../../../support/avro-records.ts";

test("forAvsc: long objects become the name long, maps arrays of {key, value}, the rest is kept", () => {
  assert.equal(forAvsc({ type: "long", logicalType: "timestamp-micros" }), "long");
  assert.deepEqual(forAvsc({ type: "map", values: { type: "long" } }), {
    type: "array",
    items: {
      type: "record",
      fields: [
        { name: "key", type: "string" },
        { name: "value", type: "long" },
      ],
    },
  });
  assert.deepEqual(forAvsc(["null", { type: "long" }]), ["null", "long"]);
  assert.equal(forAvsc("int"), "int");
  assert.equal(forAvsc(null), null);
  assert.deepEqual(forAvsc({ type: { type: "long" }, doc: "d" }), { type: "long", doc: "d" });
  assert.deepEqual(forAvsc({ type: "array", items: { type: "long" } }), { type: "array", items: "long" });
  assert.deepEqual(
    forAvsc({ type: "record", name: "R", fields: [{ name: "a", type: { type: "long" } }, null, "x"] }),
    { type: "record", name: "R", fields: [{ name: "a", type: "long" }, null, "x"] },
  );
  assert.deepEqual(forAvsc({ type: "record", name: "R", fields: "x" }), {
    type: "record",
    name: "R",
    fields: "x",
  });
});

test("a compiled reader reads longs exactly and names its schema id", () => {
  const schema = { type: "record", name: "R", fields: [{ name: "n", type: { type: "long" } }] };
  const reader = compileReader(12, JSON.stringify(schema));
  assert.equal(reader.schemaId, 12);
  const m = reader.read(avroBody(schema, { n: 2n ** 62n }), "value");
  assert.equal(String(m.payload && (m.payload as Record<string, unknown>)["n"]), String(2n ** 62n));
  assert.deepEqual(m.schema, { type: "struct", fields: [{ field: "n" }] });
});

test("a body that does not decode says which part, its length and the schema id", () => {
  const reader = compileReader(
    12,
    JSON.stringify({ type: "record", name: "R", fields: [{ name: "s", type: "string" }] }),
  );
  try {
    reader.read(Buffer.from([0x08, 0x61]), "key");
    assert.fail("expected a PoisonError");
  } catch (err) {
    assert.ok(err instanceof PoisonError);
    assert.equal(err.code, "avro_mismatch");
    assert.match(err.message, /message key \(2 bytes after the header\).*schema 12/);
  }
});

test("a schema avsc refuses is avro_schema_invalid at compile time, even when the plan could read it", () => {
  const badSymbol = { type: "enum", name: "E", symbols: ["1st"] };
  assert.throws(
    () => compileReader(13, JSON.stringify(badSymbol)),
    (err: unknown) => err instanceof PoisonError && err.code === "avro_schema_invalid",
  );
});
