// MongoDB's record shape: Extended JSON images and key (src/core/mongo-document.ts).

import assert from "node:assert/strict";
import { test } from "node:test";
import { PoisonError } from "../../../src/core/errors.ts";
import { JsonNumber } from "../../../src/core/json.ts";
import { mongoImage, mongoKey } from "../../../src/core/mongo-document.ts";
import { decodeRaw } from "../../support/replay.ts";
import { customer, mongo } from "./fixtures/mongodb.ts";

const code = (c: string, re?: RegExp) => (e: unknown) =>
  e instanceof PoisonError && e.code === c && (re === undefined || re.test(e.message));

test("Extended JSON types become DynamoDB types, legacy strict and canonical forms alike", () => {
  const doc = JSON.stringify({
    _id: { $oid: "596E275826F08B2730779E1F" },
    long: { $numberLong: "9007199254740993" },
    int: { $numberInt: "-7" },
    plain: 3,
    decimal: { $numberDecimal: "12.50" },
    double: { $numberDouble: "1.5e3" },
    inf: { $numberDouble: "-Infinity" },
    nan: { $numberDecimal: "NaN" },
    legacyDate: { $date: 1558965508000 },
    isoDate: { $date: "2019-05-27T13:58:28.5Z" },
    canonicalDate: { $date: { $numberLong: "-1000" } },
    uuid: { $binary: "FA7YEzXgQXSX9OxmzllH2w==", $type: "04" },
    bytes: { $binary: "AQID", $type: "00" },
    canonicalUuid: { $binary: { base64: "FA7YEzXgQXSX9OxmzllH2w==", subType: "4" } },
    canonicalBytes: { $binary: { base64: "AQID", subType: "80" } },
    undef: { $undefined: true },
    ts: { $timestamp: { t: 1558965508, i: 1 } },
    nested: { a: [{ $numberLong: "1" }, { b: null }], "": "empty" },
    __proto__: "kept",
  });
  const row = mongoImage(doc.replace('"__proto__"', '"__proto__"'), "after")!;
  assert.deepEqual(row, {
    _id: "596e275826f08b2730779e1f",
    long: new JsonNumber("9007199254740993"),
    int: new JsonNumber("-7"),
    plain: 3,
    decimal: new JsonNumber("12.50"),
    double: new JsonNumber("1.5e3"),
    inf: "-Infinity",
    nan: "NaN",
    legacyDate: "2019-05-27T13:58:28.000Z",
    isoDate: "2019-05-27T13:58:28.500Z",
    canonicalDate: "1969-12-31T23:59:59.000Z",
    uuid: "140ed813-35e0-4174-97f4-ec66ce5947db",
    bytes: new Uint8Array([1, 2, 3]),
    canonicalUuid: "140ed813-35e0-4174-97f4-ec66ce5947db",
    canonicalBytes: new Uint8Array([1, 2, 3]),
    undef: null,
    ts: { $timestamp: { t: 1558965508, i: 1 } },
    nested: { a: [new JsonNumber("1"), { b: null }], "": "empty" },
  });
  // Plain numbers beyond a double keep their digits; the other edge forms.
  assert.deepEqual(
    mongoImage(
      '{"big": 9007199254740993, "inf": {"$numberDouble": "Infinity"}, "half": {"$numberDecimal": ".25"}, ' +
        '"exp": {"$numberDouble": "-2E+15"}, "three": {"$binary": "AQID", "$type": "00", "x": 1}, "max": {"$date": 8640000000000000}, "notBinary": {"$binary": "AQID", "x": "00"}, ' +
        '"notType": {"$type": "00", "x": 1}, "lone": {"$binary": "AQID"}}',
      "after",
    ),
    {
      big: new JsonNumber("9007199254740993"),
      inf: "Infinity",
      half: new JsonNumber(".25"),
      three: { $binary: "AQID", $type: "00", x: 1 },
      exp: new JsonNumber("-2E+15"),
      max: "+275760-09-13T00:00:00.000Z",
      notBinary: { $binary: "AQID", x: "00" },
      notType: { $type: "00", x: 1 },
      lone: { $binary: "AQID" },
    },
  );
  const proto = mongoImage('{"__proto__": {"$numberInt": "1"}}', "after")!;
  assert.deepEqual(Object.keys(proto), ["__proto__"]);
  assert.equal(mongoImage(null, "before"), null);
  assert.equal(mongoImage(undefined, "before"), null);
  // A map that merely has a `$` key among others stays a map.
  assert.deepEqual(
    mongoImage('{"q": {"$oid": "x", "other": 1}, "r": {"$regex": "^a", "$options": "i"}}', "after"),
    {
      q: { $oid: "x", other: 1 },
      r: { $regex: "^a", $options: "i" },
    },
  );
});

test("an unparsable document or a malformed wrapper is poison invalid_document, without its text", () => {
  const bad = [
    "not json {",
    "[1, 2]",
    '"text"',
    '{"a": {"$oid": "123"}}',
    '{"a": {"$oid": 5}}',
    '{"a": {"$numberLong": "1.5"}}',
    '{"a": {"$numberLong": 15}}',
    '{"a": {"$numberInt": "x"}}',
    '{"a": {"$numberDecimal": "1,5"}}',
    '{"a": {"$numberDouble": 1.5}}',
    '{"a": {"$numberLong": "Infinity"}}',
    '{"a": {"$date": "yesterday"}}',
    '{"a": {"$date": 1.5}}',
    '{"a": {"$date": true}}',
    '{"a": {"$oid": "x596e275826f08b2730779e1f"}}',
    '{"a": {"$oid": "596e275826f08b2730779e1fx"}}',
    '{"a": {"$date": 8640000000000001}}',
    '{"a": {"$date": -8640000000000001}}',
    '{"a": {"$numberDouble": "Infinityx"}}',
    '{"a": {"$numberDouble": "xNaN"}}',
    '{"a": {"$binary": "AQID", "$type": "000"}}',
    '{"a": {"$binary": "AQID", "$type": "g0"}}',
    '{"a": {"$date": {"$numberLong": 5}}}',
    '{"a": {"$numberDecimal": 1.5}}',
    '{"a": {"$numberDecimal": "1.5x"}}',
    '{"a": {"$numberDecimal": "x1.5"}}',
    '{"a": {"$binary": 5, "$type": "00"}}',
    '{"a": {"$binary": "AQID", "$type": "zz"}}',
    '{"a": {"$binary": "AQID", "$type": 0}}',
    '{"a": {"$binary": "AQID", "$type": "04"}}',
    '{"a": {"$binary": {"base64": "AQID"}}}',
  ];
  for (const text of bad) {
    assert.throws(
      () => mongoImage(text, "after"),
      (e: unknown) =>
        code("invalid_document", /^the after document is not a MongoDB Extended JSON document$/)(e),
      text,
    );
  }
  assert.throws(() => mongoImage({ a: 1 }, "before"), code("invalid_document", /the before document/));
});

test("nesting: 31 maps around a wrapper pass, deeper is too_deep, a huge depth does not overflow", () => {
  const nest = (n: number, inner: string) => `${'{"a":'.repeat(n)}${inner}${"}".repeat(n)}`;
  assert.doesNotThrow(() => mongoImage(nest(32, '{"$numberLong": "1"}'), "after"));
  assert.throws(() => mongoImage(nest(34, "1"), "after"), code("too_deep"));
  assert.throws(() => mongoImage(`{"a": ${"[".repeat(40)}1${"]".repeat(40)}}`, "after"), code("too_deep"));
  assert.throws(
    () => mongoImage(nest(100_000, "1"), "after"),
    (e: unknown) => e instanceof PoisonError,
  );
  // Through decode the converted row is checked exactly: a column of 32 maps is one too many.
  const deep = mongo("c", "1", nest(33, "1").replace(/^\{/, '{"_id": 1, '), { sec: 1, ord: 1 });
  assert.throws(() => decodeRaw(deep), code("too_deep"));
  const ok = mongo("c", "1", nest(32, "1").replace(/^\{/, '{"_id": 1, '), { sec: 1, ord: 1 });
  assert.doesNotThrow(() => decodeRaw(ok));
});

test("the key's id is Extended JSON too; anything else is no key", () => {
  assert.deepEqual(mongoKey([{ name: "id", value: "1004" }]), [{ name: "_id", value: 1004 }]);
  assert.deepEqual(mongoKey([{ name: "id", value: '"abc"' }]), [{ name: "_id", value: "abc" }]);
  assert.deepEqual(mongoKey([{ name: "id", value: '{"$oid": "596e275826f08b2730779e1f"}' }]), [
    { name: "_id", value: "596e275826f08b2730779e1f" },
  ]);
  assert.deepEqual(mongoKey([{ name: "id", value: '{"a": 1, "b": {"$numberLong": "2"}}' }]), [
    { name: "_id", value: { a: 1, b: new JsonNumber("2") } },
  ]);
  assert.throws(() => mongoKey([{ name: "id", value: 1004 }]), code("missing_key"));
  assert.throws(() => mongoKey([{ name: "_id", value: "1004" }]), code("missing_key"));
  assert.throws(
    () =>
      mongoKey([
        { name: "id", value: "1" },
        { name: "x", value: "2" },
      ]),
    code("missing_key"),
  );
  assert.throws(() => mongoKey([{ name: "id", value: "{oops" }]), code("invalid_document", /the key's id/));
});

test("MongoDB records decode with the default layout: after document, delete by key, update needs after", () => {
  const created = decodeRaw(mongo("c", "1004", customer(1004, "Anne"), { sec: 1558965508, ord: 31 }));
  assert.equal(created.op, "c");
  assert.equal(created.id, "[1004]");
  assert.deepEqual(created.keyColumns, [{ name: "_id", value: 1004 }]);
  assert.deepEqual(created.row, {
    _id: new JsonNumber("1004"),
    first_name: "Anne",
    last_name: "Kretchmar",
    email: "annek@noanswer.org",
  });
  assert.equal(created.versionScheme, "mongo:");
  const deleted = decodeRaw(mongo("d", "1004", null, { sec: 1558965520, ord: 1 }));
  assert.equal(deleted.row, null);
  assert.equal(deleted.id, created.id);
  const withPreImage = decodeRaw(
    mongo("d", "1004", null, { sec: 1558965520, ord: 1 }, customer(1004, "Anne")),
  );
  assert.equal(withPreImage.row, null);
  assert.throws(
    () => decodeRaw(mongo("u", "1004", null, { sec: 1558965520, ord: 2 })),
    code("invalid_envelope", /capture.mode/),
  );
  const nullAfter = mongo("u", "1004", null, { sec: 1558965520, ord: 2 });
  (nullAfter.value as Record<string, unknown>)["after"] = null;
  assert.throws(() => decodeRaw(nullAfter), code("invalid_envelope", /capture.mode/));
  assert.throws(
    () => decodeRaw(mongo("c", "1004", null, { sec: 1, ord: 1 })),
    code("invalid_envelope", /needs an "after"/),
  );
  assert.throws(() => decodeRaw(mongo("c", "1004", "{bad", { sec: 1, ord: 1 })), code("invalid_document"));
  assert.throws(
    () => decodeRaw(mongo("d", "1004", null, { sec: 1, ord: 1 }, "{bad")),
    code("invalid_document", /before/),
  );
  // With the JsonConverter's schemas on: the images' schema is a string (io.debezium.data.Json).
  const raw = mongo("c", "1004", customer(1004, "Anne"), { sec: 1558965508, ord: 31 });
  const json = { type: "string", optional: true, name: "io.debezium.data.Json", version: 1 };
  const wrapped = decodeRaw({
    key: { schema: { type: "struct", fields: [{ field: "id", type: "string" }] }, payload: raw.key },
    value: {
      schema: {
        type: "struct",
        fields: [
          { field: "after", ...json },
          { field: "before", ...json },
        ],
      },
      payload: raw.value,
    },
  });
  assert.deepEqual([wrapped.id, wrapped.row, wrapped.version], [created.id, created.row, created.version]);
  // A PostgreSQL record whose `after` is a string is still an invalid envelope, not a document.
  const pg = { key: { id: 1 }, value: { op: "c", after: "{}", source: { connector: "postgresql", lsn: 1 } } };
  assert.throws(() => decodeRaw(pg), code("invalid_envelope"));
});
