// writeRequest and refusedOutcome (src/core/write.ts) without a store: what a build failure
// becomes, and what each stored version means for a refused write.

import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeKafkaRecord } from "../../../src/core/record.ts";
import { PoisonError } from "../../../src/core/errors.ts";
import type { ChangeEvent } from "../../../src/core/types.ts";
import { refusedOutcome, writeRequest } from "../../../src/core/write.ts";
import { pgRecord } from "../../support/debezium-records.ts";

const at = { topic: "t", partition: 0, offset: "1" };
const options = {
  table: "t",
  keyAttribute: "pk",
  ttlAttribute: "_cdc_expires_at",
  tombstoneTtlSeconds: 0,
  compression: "none",
} as const;

function event(lsn: number, id: number | string = 1): ChangeEvent {
  const d = decodeKafkaRecord(pgRecord({ op: "u", id, lsn }, 1), { versionSource: "auto", epoch: 0 });
  assert.ok(d.kind === "change");
  return d.event;
}

function poisonCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PoisonError, String(err));
    return err.code;
  }
  return "no error";
}

test("writeRequest builds the conditional put of the change", () => {
  const e = event(10);
  const put = writeRequest(e, at, options, 1_000);
  assert.equal(put.TableName, "t");
  assert.deepEqual(put.Item!["pk"], { S: `${e.source}:${e.id}` });
  assert.deepEqual(put.ExpressionAttributeValues[":version"], { S: e.version });
});

test("a build's poison stays as it is; any other failure is this record's poison, with its cause", () => {
  assert.equal(
    poisonCode(() => writeRequest(event(10, "k".repeat(3000)), at, options, 0)),
    "key_too_large",
  );
  const broken = new RangeError("deep inside");
  const row = Object.defineProperty({}, "bad", {
    enumerable: true,
    get: () => {
      throw broken;
    },
  });
  const e = { ...event(10), row };
  try {
    writeRequest(e, at, options, 0);
    assert.fail("no error");
  } catch (err) {
    assert.ok(err instanceof PoisonError);
    assert.equal(err.code, "item_build_failed");
    assert.equal(err.cause, broken);
    assert.match(err.message, /RangeError/);
  }
});

test("a refused write: equal stored version is a duplicate, a newer one makes this record stale", () => {
  const e = event(10);
  assert.equal(refusedOutcome(e, e.version), "duplicate");
  assert.equal(refusedOutcome(e, event(11).version), "stale");
  assert.equal(refusedOutcome(e, event(100).version), "stale");
});

test("a refused write over an older stored version is a broken store: an error, never an outcome", () => {
  const e = event(10);
  assert.throws(
    () => refusedOutcome(e, event(9).version),
    (err) => err instanceof Error && !(err instanceof PoisonError),
  );
});

test("a refused write over an item without a version, or of another scheme, is this record's poison", () => {
  const e = event(10);
  assert.equal(
    poisonCode(() => refusedOutcome(e, undefined)),
    "foreign_item",
  );
  assert.equal(
    poisonCode(() => refusedOutcome(e, "col:0000:00000000000000000099:1")),
    "version_scheme_mismatch",
  );
});
