// The poison policy's own parts: the names config accepts, the skip reason, where a record is
// told to be, and which fatal stop each policy ends in (docs/semantics.md).

import assert from "node:assert/strict";
import { test } from "node:test";
import { PoisonError } from "../../../src/core/errors.ts";
import { POISON_POLICIES, POISON_SKIP_REASON, poisonStop, where } from "../../../src/engine/poison.ts";
import { record } from "../../support/debezium-records.ts";

const r = record({ topic: "pg.public.t", partition: 3, offset: "42" });
const err = new PoisonError("invalid_envelope", "the value is not an object");

test("the policies and the skip reason are the documented names", () => {
  assert.deepEqual([...POISON_POLICIES], ["dlq", "skip", "stop"]);
  assert.equal(POISON_SKIP_REASON, "poison");
});

test("where: topic/partition@offset, the form cdc-sink explain takes", () => {
  assert.equal(where(r), "pg.public.t/3@42");
});

test("stop ends in poison_stop, dlq without a DLQ in poison_without_dlq; both exit 4 and name the record", () => {
  const stop = poisonStop(r, err, "stop");
  assert.equal(stop.code, "poison_stop");
  assert.equal(stop.exitCode, 4);
  const dlq = poisonStop(r, err, "dlq");
  assert.equal(dlq.code, "poison_without_dlq");
  assert.equal(dlq.exitCode, 4);
  for (const f of [stop, dlq]) {
    // The operator needs the position and the cause to find and fix the record.
    assert.ok(f.message.includes("pg.public.t/3@42"), f.message);
    assert.ok(f.message.includes("(invalid_envelope): the value is not an object"), f.message);
  }
});
