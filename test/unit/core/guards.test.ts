// Invariants the mutation run of issue 22 showed untested: each test names the line it guards.

import assert from "node:assert/strict";
import { test } from "node:test";
import { randomBytes } from "node:crypto";
import { decimalFromBytes } from "../../../src/core/connect-schema.ts";
import { decodeKafkaRecord } from "../../../src/core/record.ts";
import { PoisonError } from "../../../src/core/errors.ts";
import { encodeId, escapeSource, itemKey } from "../../../src/core/identity.ts";
import { MAX_ITEM_BYTES, META, buildPut } from "../../../src/core/item.ts";
import { attributeSize, itemSize } from "../../../src/core/marshal.ts";
import type { ChangeEvent } from "../../../src/core/types.ts";
import { pgRecord, pgValue, record } from "../../support/debezium-records.ts";

const auto = { versionSource: "auto", epoch: 0 } as const;
const at = { topic: "t", partition: 0, offset: "1" };
const options = {
  table: "t",
  keyAttribute: "pk",
  ttlAttribute: "_cdc_expires_at",
  tombstoneTtlSeconds: 0,
  compression: "none",
} as const;

function change(op: "c" | "d", row: Record<string, unknown> = {}): ChangeEvent {
  const d = decodeKafkaRecord(pgRecord({ op, id: 1, lsn: 10, row }, 1), auto);
  assert.ok(d.kind === "change");
  return d.event;
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PoisonError, String(err));
    return err.code;
  }
  return "ok";
}

test("identity: sources `a:` and `a`, `a%3A` and `a:` never share an item key; `:` ends the source", () => {
  assert.notEqual(itemKey("a:", "[1]"), itemKey("a", ":[1]"));
  assert.notEqual(itemKey("a%3A", "[1]"), itemKey("a:", "[1]"));
  assert.equal(escapeSource("a:%"), "a%3A%25");
  const key = itemKey("pg:x%y", '["k:1"]');
  assert.equal(key.slice(0, key.indexOf(":")), "pg%3Ax%25y");
  assert.equal(key.slice(key.indexOf(":") + 1), '["k:1"]');
});

test("identity: binary key values are kept by content ($b64), never collapsed", () => {
  const id = (bytes: number[]) => encodeId([{ name: "k", value: new Uint8Array(bytes) }]);
  assert.equal(id([1, 2]), '[{"$b64":"AQI="}]');
  assert.notEqual(id([1, 2]), id([3]));
  assert.notEqual(id([]), id([0]));
});

test("a null key, a key with no columns and a null wrapped payload are poison, never one shared item", () => {
  const value = pgValue({ op: "c", id: 1, lsn: 10 });
  for (const key of ["null", "{}", '{"schema":{"type":"struct","fields":[]},"payload":null}']) {
    assert.equal(
      code(() => decodeKafkaRecord(record({ offset: "1", key: Buffer.from(key), value }), auto)),
      "missing_key",
      key,
    );
  }
});

test("TOMBSTONE_TTL_SECONDS=0 keeps tombstones forever; 1 expires them a second after the write", () => {
  const forever = buildPut(change("d"), at, options, 5_000_500).Item!;
  assert.equal(forever[options.ttlAttribute], undefined);
  const soon = buildPut(change("d"), at, { ...options, tombstoneTtlSeconds: 1 }, 5_000_500).Item!;
  assert.deepEqual(soon[options.ttlAttribute], { N: "5001" });
  // A live row never carries one.
  assert.equal(
    buildPut(change("c"), at, { ...options, tombstoneTtlSeconds: 1 }, 0).Item![options.ttlAttribute],
    undefined,
  );
});

test("the condition carries the scheme and the version as values, not only its text", () => {
  const event = change("c");
  const put = buildPut(event, at, options, 0);
  assert.deepEqual(put.ExpressionAttributeValues, {
    ":scheme": { S: "pg:" },
    ":version": { S: event.version },
  });
});

test("attribute sizes per type, as DynamoDB counts them", () => {
  assert.equal(attributeSize({ S: "é" }), 2);
  assert.equal(attributeSize({ N: "12345" }), 4);
  assert.equal(attributeSize({ N: "123456" }), 4);
  assert.equal(attributeSize({ N: "1234567" }), 5);
  assert.equal(attributeSize({ B: new Uint8Array(10) }), 10);
  assert.equal(attributeSize({ BOOL: false }), 1);
  assert.equal(attributeSize({ NULL: true }), 1);
  assert.equal(attributeSize({ L: [{ N: "1" }, { S: "ab" }] }), 3 + (1 + 2) + (1 + 2));
  assert.equal(attributeSize({ M: { a: { S: "xy" } } }), 3 + (1 + 2) + 1);
  assert.equal(itemSize({ ab: { S: "xyz" }, c: { BOOL: true } }), 5 + 2);
});

test("an item of exactly 400 KB is written; one byte more is poison", () => {
  const base = itemSize(buildPut(change("c", { big: "" }), at, options, 0).Item!);
  const fill = MAX_ITEM_BYTES - base;
  assert.equal(
    code(() => buildPut(change("c", { big: "x".repeat(fill) }), at, options, 0)),
    "ok",
  );
  assert.equal(
    code(() => buildPut(change("c", { big: "x".repeat(fill + 1) }), at, options, 0)),
    "item_too_large",
  );
});

test("ITEM_COMPRESSION=gzip stores a large row compressed, and checks the size again after gzip", () => {
  const gzip = { ...options, compression: "gzip" } as const;
  const compressible = buildPut(change("c", { big: "x".repeat(500_000) }), at, gzip, 0).Item!;
  assert.ok(compressible[META.rowGzip]?.B !== undefined);
  assert.equal(compressible["big"], undefined);
  const noise = randomBytes(450_000).toString("base64");
  assert.equal(
    code(() => buildPut(change("c", { big: noise }), at, gzip, 0)),
    "item_too_large",
  );
});

test("Connect decimals at scale 0, negative scales, negative values and zero", () => {
  assert.equal(decimalFromBytes(new Uint8Array([0x01, 0x00]), 0), "256");
  assert.equal(decimalFromBytes(new Uint8Array([0x01, 0x00]), -2), "25600");
  assert.equal(decimalFromBytes(new Uint8Array([0xff]), 0), "-1");
  assert.equal(decimalFromBytes(new Uint8Array([0xff, 0x38]), 2), "-2.00");
  assert.equal(decimalFromBytes(new Uint8Array([0x05]), 3), "0.005");
  assert.equal(decimalFromBytes(new Uint8Array([0x80]), 1), "-12.8");
  assert.equal(decimalFromBytes(new Uint8Array([]), 2), "0.00");
  assert.equal(decimalFromBytes(new Uint8Array([0x00]), -3), "0");
});
