import assert from "node:assert/strict";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import type { PutItemCommandInput } from "@aws-sdk/client-dynamodb";
import { PoisonError } from "../../../src/core/errors.ts";
import { decodeKafkaRecord } from "../../../src/core/record.ts";
import type { ChangeEvent } from "../../../src/core/types.ts";
import { META, buildPut } from "../../../src/core/item.ts";
import { pgRecord, record } from "../../support/debezium-records.ts";

const options = {
  table: "t",
  keyAttribute: "pk",
  ttlAttribute: "_cdc_expires_at",
  tombstoneTtlSeconds: 0,
  compression: "none",
} as const;
const at = { topic: "pg.public.customers", partition: 2, offset: "41" };

function event(op: "c" | "d", row: Record<string, unknown> = {}): ChangeEvent {
  const d = decodeKafkaRecord(pgRecord({ op, id: 1, lsn: 10, row }, 41), { versionSource: "auto", epoch: 0 });
  assert.equal(d.kind, "change");
  return (d as { event: ChangeEvent }).event;
}

test("the put is guarded by key absence or an older version of the same scheme", () => {
  // Typed as the SDK's input: core's own AttributeValue and PutRequest must stay assignable to it.
  const put: PutItemCommandInput = buildPut(event("c", { name: "x" }), at, options, 1000);
  assert.equal(
    put.ConditionExpression,
    "attribute_not_exists(#key) OR (begins_with(#version, :scheme) AND #version < :version)",
  );
  assert.deepEqual(put.ExpressionAttributeNames, { "#key": "pk", "#version": META.version });
  assert.equal(put.ReturnValuesOnConditionCheckFailure, "ALL_OLD");
  assert.deepEqual(put.Item?.["pk"], { S: "pg.app.public.customers:[1]" });
  assert.deepEqual(put.Item?.["name"], { S: "x" });
  assert.deepEqual(put.Item?.[META.offset], { N: "41" });
});

test("row columns that look like metadata or the key are escaped, never overwritten", () => {
  const put = buildPut(event("c", { pk: "mine", _cdc_version: "forged" }), at, options, 1000);
  assert.deepEqual(put.Item?.["_cdc_col_pk"], { S: "mine" });
  assert.deepEqual(put.Item?.["_cdc_col__cdc_version"], { S: "forged" });
  assert.match(put.Item?.[META.version]?.S ?? "", /^pg:0000:/);
});

test("a delete is a versioned tombstone with the key columns and an optional TTL", () => {
  const put = buildPut(event("d"), at, { ...options, tombstoneTtlSeconds: 60 }, 1_000_000);
  assert.deepEqual(put.Item?.[META.deleted], { BOOL: true });
  assert.deepEqual(put.Item?.["id"], { N: "1" });
  assert.deepEqual(put.Item?.["_cdc_expires_at"], { N: String(1000 + 60) });
});

test("an item over 400 KB is poison unless compression is on", () => {
  const big = event("c", { text: "x".repeat(500 * 1024) });
  assert.throws(
    () => buildPut(big, at, options, 0),
    (err) => err instanceof PoisonError && err.code === "item_too_large",
  );
  const put = buildPut(big, at, { ...options, compression: "gzip" }, 0);
  const gz = put.Item?.[META.rowGzip]?.B;
  assert.ok(gz instanceof Uint8Array);
  assert.equal((JSON.parse(gunzipSync(gz).toString()) as { text: string }).text.length, 500 * 1024);
  assert.equal(put.Item?.["text"], undefined);
});

test("an item key over DynamoDB's 2,048-byte partition key limit is poison before the write", () => {
  // `pg.app.public.customers:[1,"…"]`: the key text is the source, `:`, then the key as JSON.
  const key = (text: string) =>
    decodeKafkaRecord(
      record({
        offset: "1",
        key: Buffer.from(JSON.stringify({ id: 1, name: text })),
        value: pgRecord({ op: "c", id: 1, lsn: 10 }, 1).value,
      }),
      { versionSource: "auto", epoch: 0 },
    );
  const prefix = 'pg.app.public.customers:[1,"'.length + '"]'.length;
  const fits = key("é".repeat((2048 - prefix) / 2));
  assert.ok(fits.kind === "change");
  assert.equal(Buffer.byteLength(buildPut(fits.event, at, options, 0).Item!["pk"]!.S!), 2048);
  const over = key("é".repeat((2048 - prefix) / 2) + "x");
  assert.ok(over.kind === "change");
  assert.throws(
    () => buildPut(over.event, at, options, 0),
    (err: unknown) =>
      err instanceof PoisonError && err.code === "key_too_large" && /2049 bytes/.test(err.message),
  );
});
