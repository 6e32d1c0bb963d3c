// The Debezium envelope's schema (src/core/envelope.ts): every field Debezium may leave null or out
// is accepted, unknown fields pass through (connectors add source fields between versions), an op
// that needs a row image has one, and a refusal names the path of each problem.

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { describeIssues, envelopeSchema, quickEnvelope, sourceSchema } from "../../../src/core/envelope.ts";
import { JsonNumber } from "../../../src/core/json.ts";

const problems = (value: unknown): string => {
  const parsed = envelopeSchema.safeParse(value);
  assert.equal(parsed.success, false, JSON.stringify(value));
  return describeIssues(parsed.error);
};

test("a full source block, with numbers as numbers, JsonNumbers or digit strings", () => {
  for (const n of [12, new JsonNumber("18446744073709551615"), "42"]) {
    const source = {
      connector: "postgresql",
      name: "dbserver1",
      db: "inventory",
      schema: "public",
      table: "customers",
      ts_ms: n,
      lsn: n,
      sequence: '["1","2"]',
      file: "mysql-bin.000003",
      pos: n,
      row: n,
    };
    const parsed = envelopeSchema.parse({ op: "u", after: { id: 1 }, source, ts_ms: n });
    assert.deepEqual(parsed.source, source);
    assert.equal(parsed.ts_ms, n);
  }
});

test("every optional source field may be null or absent", () => {
  const nulls = {
    db: null,
    schema: null,
    table: null,
    ts_ms: null,
    lsn: null,
    sequence: null,
    file: null,
    pos: null,
    row: null,
  };
  assert.deepEqual(sourceSchema.parse(nulls), nulls);
  assert.deepEqual(sourceSchema.parse({}), {});
  const parsed = envelopeSchema.parse({ op: "c", after: { id: 1 }, source: nulls, ts_ms: null });
  assert.deepEqual(parsed.source, nulls);
  assert.deepEqual(envelopeSchema.parse({ op: "c", after: { id: 1 } }), { op: "c", after: { id: 1 } });
});

test("unknown fields pass through, in the envelope and in its source block", () => {
  const value = {
    op: "u",
    before: null,
    after: { id: 1 },
    source: { connector: "mysql", gtid: "3e11fa47:23", server_id: 223344, thread: 7 },
    transaction: { id: "t1", total_order: 2, data_collection_order: 1 },
    ts_us: 1,
  };
  assert.deepEqual(envelopeSchema.parse(value), value);
});

test("a wrong type in a source field is refused with its path", () => {
  for (const [field, value] of [
    ["connector", 1],
    ["name", 1],
    ["db", 1],
    ["schema", 1],
    ["table", 1],
    ["sequence", 1],
    ["file", 1],
    ["lsn", true],
    ["pos", {}],
    ["row", []],
    ["ts_ms", false],
  ] as const) {
    assert.match(
      problems({ op: "u", after: {}, source: { [field]: value } }),
      new RegExp(`^source\\.${field}: `),
    );
  }
  assert.match(problems({ op: "u", after: {}, ts_ms: true }), /^ts_ms: /);
  assert.match(problems({ op: "u", after: {}, source: "pg" }), /^source: /);
});

test("c, u and r need an after image; d, t and m do not", () => {
  for (const op of ["c", "u", "r"]) {
    assert.equal(problems({ op }), `after: op "${op}" needs an "after" row image`);
    assert.equal(problems({ op, after: null }), `after: op "${op}" needs an "after" row image`);
  }
  for (const op of ["d", "t", "m"]) assert.equal(envelopeSchema.safeParse({ op }).success, true, op);
  assert.equal(envelopeSchema.safeParse({ op: "d", before: { id: 1 }, after: null }).success, true);
});

test("rows are objects or null; op is one of Debezium's six", () => {
  assert.match(problems({ op: "u", after: [1] }), /^after: /);
  assert.match(problems({ op: "d", before: "x" }), /^before: /);
  assert.equal(problems({ op: "x", after: {} }), 'op: op must be one of "c", "u", "d", "r", "t", "m"');
  assert.match(problems({ after: {} }), /^op: /);
});

test("issues are one line each with their path, `(root)` for the value itself, joined by `; `", () => {
  assert.match(problems("not an object"), /^\(root\): /);
  const text = problems({ op: "x", source: { table: 1 } });
  const lines = text.split("; ");
  assert.equal(lines.length, 2, text);
  assert.match(lines[0]!, /^op: /);
  assert.match(lines[1]!, /^source\.table: /);
});

test("quickEnvelope answers only where the schema accepts, with the schema's op and source", () => {
  const values = [
    undefined,
    null,
    {},
    { id: 1, name: "x" },
    Object.create(null) as object,
    [],
    "text",
    1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    true,
    new JsonNumber("18446744073709551615"),
    new Date(0),
    new Uint8Array(1),
  ];
  const pick = fc.constantFrom(...values);
  const source = fc.oneof(
    pick,
    fc.record(
      Object.fromEntries(
        [
          "connector",
          "name",
          "db",
          "schema",
          "table",
          "ts_ms",
          "lsn",
          "sequence",
          "file",
          "pos",
          "row",
          "x",
        ].map((k) => [k, pick]),
      ),
      { requiredKeys: [] },
    ),
  );
  const envelope = fc.record(
    {
      op: fc.constantFrom("c", "u", "d", "r", "t", "m", "x", 1, undefined),
      before: pick,
      after: pick,
      source,
      ts_ms: pick,
      transaction: pick,
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(envelope, (payload) => {
      const quick = quickEnvelope(payload);
      if (quick === undefined) return;
      const parsed = envelopeSchema.safeParse(payload);
      assert.ok(parsed.success, JSON.stringify(payload));
      assert.equal(quick.op, parsed.data.op);
      assert.deepEqual(quick.source, parsed.data.source);
    }),
    { numRuns: 5000 },
  );
});

test("quickEnvelope answers for Debezium's usual envelopes (the schema is asked only for the rest)", () => {
  const source = {
    connector: "postgresql",
    name: "db",
    db: "d",
    schema: "public",
    table: "t",
    ts_ms: 1,
    lsn: 2,
  };
  for (const payload of [
    { op: "c", before: null, after: { id: 1 }, source, ts_ms: 3, transaction: null },
    {
      op: "u",
      before: { id: 1 },
      after: { id: 1 },
      source: { ...source, lsn: new JsonNumber("9007199254740993") },
    },
    { op: "d", before: { id: 1 }, after: null, source },
    { op: "r", after: { id: 1 }, source: { ...source, sequence: '["1","2"]', ts_ms: "5" } },
    { op: "t", before: null, after: null, source },
  ])
    assert.deepEqual(
      quickEnvelope(payload),
      { op: payload.op, source: payload.source },
      JSON.stringify(payload),
    );
  // and leaves a refusal to the schema, which says why
  assert.equal(quickEnvelope({ op: "c", after: null }), undefined);
  assert.equal(quickEnvelope({ op: "u", after: { id: 1 }, source: { connector: null } }), undefined);
});
