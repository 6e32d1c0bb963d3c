// Truncates under TRUNCATE_POLICY=apply: decoded into a TruncateEvent at the truncate's own position
// (envelope and flattened), and the tombstone each item of the source gets (core/truncate.ts).

import assert from "node:assert/strict";
import { test } from "node:test";
import { PoisonError } from "../../../src/core/errors.ts";
import { itemKey } from "../../../src/core/identity.ts";
import { META } from "../../../src/core/item.ts";
import { decodeKafkaRecord } from "../../../src/core/record.ts";
import { sourcePrefix, tombstoneEvent, truncateRequest } from "../../../src/core/truncate.ts";
import type { DecodeOptions, TruncateEvent } from "../../../src/core/types.ts";
import { pgEnvelope, record } from "../../support/debezium-records.ts";
import { itemOptions } from "../../support/item-options.ts";

const apply: DecodeOptions = { versionSource: "auto", epoch: 0, truncate: "apply" };
const pad = (n: number): string => String(n).padStart(20, "0");

function truncateValue(lsn: number, lastCommitLsn: number, table = "customers"): Buffer {
  const env = pgEnvelope({ op: "u", id: 1, lsn, lastCommitLsn, table });
  return Buffer.from(JSON.stringify({ ...env, op: "t", before: null, after: null }));
}

function truncateOf(value: Buffer, options: DecodeOptions = apply): TruncateEvent {
  const d = decodeKafkaRecord(record({ offset: "9", value }), options);
  assert.equal(d.kind, "truncate", JSON.stringify(d));
  return (d as { event: TruncateEvent }).event;
}

test("skip (the default) skips a truncate; apply versions it at its position, as a streamed change", () => {
  const value = truncateValue(500, 400);
  assert.deepEqual(decodeKafkaRecord(record({ offset: "9", value }), { ...apply, truncate: undefined }), {
    kind: "skip",
    reason: "truncate",
  });
  assert.deepEqual(decodeKafkaRecord(record({ offset: "9", value }), { ...apply, truncate: "skip" }), {
    kind: "skip",
    reason: "truncate",
  });
  assert.deepEqual(truncateOf(value), {
    source: "pg.app.public.customers",
    version: `pg:0000:${pad(400)}:1:${pad(500)}`,
    versionScheme: "pg:",
    sourceTsMs: 1_700_000_000_000,
  });
  // The epoch and SOURCE_NAME apply as to every change; no key is needed.
  const t = truncateOf(value, { ...apply, epoch: 7, sourceName: "crm.customers" });
  assert.equal(t.source, "crm.customers");
  assert.equal(t.version, `pg:0007:${pad(400)}:1:${pad(500)}`);
});

test("a truncate orders after the changes before it and before those after it", () => {
  const t = truncateOf(truncateValue(500, 400)).version;
  const before = `pg:0000:${pad(300)}:1:${pad(450)}`; // a change of an earlier transaction
  const after = `pg:0000:${pad(600)}:1:${pad(650)}`; // a change committed after the truncate
  assert.ok(before < t && t < after);
});

test("a truncate without a position is poison missing_version; VERSION_SOURCE=column cannot version it", () => {
  const noLsn = Buffer.from(JSON.stringify({ op: "t", source: { connector: "postgresql", table: "x" } }));
  assert.throws(
    () => decodeKafkaRecord(record({ offset: "1", value: noLsn }), apply),
    (e: unknown) => e instanceof PoisonError && e.code === "missing_version",
  );
  assert.throws(
    () =>
      decodeKafkaRecord(record({ offset: "1", value: truncateValue(5, 4) }), {
        ...apply,
        versionSource: "column",
        versionColumn: "rev",
      }),
    (e: unknown) => e instanceof PoisonError && e.code === "missing_version",
  );
});

test("a flattened truncate (__op=t, from a transform that keeps it) is versioned by its __lsn", () => {
  const value = Buffer.from(
    JSON.stringify({ __op: "t", __lsn: 500, __name: "pg", __db: "app", __schema: "s", __table: "t" }),
  );
  const d = decodeKafkaRecord(record({ offset: "3", value }), { ...apply, format: "flattened" });
  assert.deepEqual(d, {
    kind: "truncate",
    event: {
      source: "pg.app.s.t",
      version: `pg:0000:${pad(500)}:1:${pad(500)}`,
      versionScheme: "pg:",
      sourceTsMs: undefined,
    },
  });
});

test("each item's tombstone: the delete's conditional put at the truncate's version, _cdc_op t", () => {
  const truncate: TruncateEvent = {
    source: "pg.app:x%",
    version: `pg:0000:${pad(4)}:1:${pad(5)}`,
    versionScheme: "pg:",
    sourceTsMs: 12,
  };
  assert.equal(sourcePrefix(truncate.source), "pg.app%3Ax%25:");
  assert.ok(itemKey(truncate.source, "[1]").startsWith(sourcePrefix(truncate.source)));
  const event = tombstoneEvent(truncate, "[1]");
  assert.equal(event.op, "d");
  assert.equal(event.row, null);
  const put = truncateRequest(
    truncate,
    "[1]",
    { topic: "t", partition: 2, offset: "9" },
    itemOptions(),
    1000,
  );
  assert.deepEqual(put.Item, {
    pk: { S: "pg.app%3Ax%25:[1]" },
    [META.version]: { S: truncate.version },
    [META.deleted]: { BOOL: true },
    [META.op]: { S: "t" },
    [META.source]: { S: "pg.app:x%" },
    [META.id]: { S: "[1]" },
    [META.topic]: { S: "t" },
    [META.partition]: { N: "2" },
    [META.offset]: { N: "9" },
    [META.writtenAt]: { N: "1000" },
    [META.sourceTsMs]: { N: "12" },
  });
  assert.equal(
    put.ConditionExpression,
    "attribute_not_exists(#key) OR (begins_with(#version, :scheme) AND #version < :version)",
  );
  assert.deepEqual(put.ExpressionAttributeValues, {
    ":scheme": { S: "pg:" },
    ":version": { S: truncate.version },
  });
});
