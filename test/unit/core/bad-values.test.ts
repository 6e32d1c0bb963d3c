// Values no database sends but a broken producer can: each must be a PoisonError with a clear
// code, never another exception (one would stall or crash-loop the pipeline), and never slow.

import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeKafkaRecord } from "../../../src/core/record.ts";
import { PoisonError } from "../../../src/core/errors.ts";
import { buildPut } from "../../../src/core/item.ts";
import type { ChangeEvent, DecodeOptions } from "../../../src/core/types.ts";
import { pgEnvelope, pgKey, record } from "../../support/debezium-records.ts";

const auto: DecodeOptions = { versionSource: "auto", epoch: 0 };
const at = { topic: "t", partition: 0, offset: "1" };
const itemOptions = {
  table: "t",
  keyAttribute: "pk",
  ttlAttribute: "_cdc_expires_at",
  tombstoneTtlSeconds: 0,
  compression: "none",
} as const;

/** Decodes and builds the put, as the processor does; returns the poison code, or "ok". */
function outcome(key: Buffer, value: Buffer): string {
  try {
    const d = decodeKafkaRecord(record({ offset: "1", key, value }), auto);
    if (d.kind === "change") buildPut((d as { event: ChangeEvent }).event, at, itemOptions, 0);
    return "ok";
  } catch (err) {
    assert.ok(err instanceof PoisonError, `not a PoisonError: ${String(err)}`);
    return err.code;
  }
}

function withSchema(column: Record<string, unknown>, field: Record<string, unknown>): Buffer {
  const envelope = pgEnvelope({ op: "u", id: 1, lsn: 10, row: column });
  const schema = {
    type: "struct",
    fields: [{ field: "after", type: "struct", fields: [{ field: "id", type: "int32" }, field] }],
  };
  return Buffer.from(JSON.stringify({ schema, payload: envelope }));
}

const variableScale = { field: "n", type: "struct", name: "io.debezium.data.VariableScaleDecimal" };
const decimal = (scale: string) => ({
  field: "n",
  type: "bytes",
  name: "org.apache.kafka.connect.data.Decimal",
  parameters: { scale },
});

test("a decimal scale out of any database's range is poison (invalid_decimal)", () => {
  for (const scale of [1e9, -1e9, 16384, -16384, 1.5, "x"]) {
    assert.equal(
      outcome(pgKey(1), withSchema({ n: { scale, value: "AQ==" } }, variableScale)),
      "invalid_decimal",
      `VariableScaleDecimal scale ${scale}`,
    );
  }
  for (const scale of ["1000000000", "-1000000000", "2.5", "abc"]) {
    assert.equal(outcome(pgKey(1), withSchema({ n: "AQ==" }, decimal(scale))), "invalid_decimal");
  }
  // PostgreSQL's own limits still decode: scale 16383 and -16383 (numeric's display scale).
  assert.equal(outcome(pgKey(1), withSchema({ n: { scale: 16383, value: "AQ==" } }, variableScale)), "ok");
  assert.equal(outcome(pgKey(1), withSchema({ n: "AQ==" }, decimal("-16383"))), "ok");
});

test("a decimal too long for any database is poison at once, not minutes of arithmetic", () => {
  const huge = Buffer.alloc(1 << 20, 0x7f).toString("base64");
  const t0 = Date.now();
  assert.equal(
    outcome(pgKey(1), withSchema({ n: { scale: 0, value: huge } }, variableScale)),
    "invalid_decimal",
  );
  assert.ok(Date.now() - t0 < 2_000, `took ${Date.now() - t0} ms`);
});

function nested(depth: number): string {
  return "[".repeat(depth) + "1" + "]".repeat(depth);
}

test("a column nested past DynamoDB's 32 levels is poison (too_deep): 31 lists apply, 32 do not", () => {
  const value = (depth: number) =>
    Buffer.from(
      JSON.stringify(pgEnvelope({ op: "u", id: 1, lsn: 10 })).replace(
        '"after":{"id":1}',
        `"after":{"id":1,"a":${nested(depth)}}`,
      ),
    );
  // The attribute is the first of DynamoDB's 32 levels (DynamoDB Local refused 32 lists).
  assert.equal(outcome(pgKey(1), value(31)), "ok");
  assert.equal(outcome(pgKey(1), value(32)), "too_deep");
  assert.equal(outcome(pgKey(1), value(2_000)), "too_deep");
  assert.equal(outcome(pgKey(1), value(8_000)), "too_deep");
  const objects = (depth: number) => '{"k":'.repeat(depth) + "1" + "}".repeat(depth);
  const mapValue = Buffer.from(
    JSON.stringify(pgEnvelope({ op: "u", id: 1, lsn: 10 })).replace(
      '"after":{"id":1}',
      `"after":{"id":1,"m":${objects(2_000)}}`,
    ),
  );
  assert.equal(outcome(pgKey(1), mapValue), "too_deep");
});

test("a key nested deep is poison, as a delete too", () => {
  const key = Buffer.from(`{"id":${nested(1_000)}}`);
  assert.equal(
    outcome(key, Buffer.from(JSON.stringify(pgEnvelope({ op: "u", id: 1, lsn: 10 })))),
    "too_deep",
  );
  assert.equal(
    outcome(key, Buffer.from(JSON.stringify(pgEnvelope({ op: "d", id: 1, lsn: 10 })))),
    "too_deep",
  );
});

test("a schema nested as deep as its value is poison, not a stack overflow", () => {
  let schema: Record<string, unknown> = { type: "int32" };
  for (let i = 0; i < 1_500; i++) schema = { type: "array", items: schema };
  assert.equal(
    outcome(pgKey(1), withSchema({ n: JSON.parse(nested(1_500)) as unknown }, { field: "n", ...schema })),
    "too_deep",
  );
});

test("a malformed schema reads as no schema, never a TypeError", () => {
  const envelope = JSON.stringify(pgEnvelope({ op: "u", id: 1, lsn: 10 }));
  for (const fields of ['"x"', "[null]", "5", '[{"field":"after","type":"struct","fields":{"a":1}}]']) {
    const value = Buffer.from(`{"schema":{"type":"struct","fields":${fields}},"payload":${envelope}}`);
    assert.equal(outcome(pgKey(1), value), "ok", `value schema fields ${fields}`);
  }
  for (const fields of ['"x"', "[null]", "5"]) {
    const key = Buffer.from(`{"schema":{"type":"struct","fields":${fields}},"payload":{"id":1}}`);
    assert.equal(outcome(key, Buffer.from(envelope)), "ok", `key schema fields ${fields}`);
  }
});
