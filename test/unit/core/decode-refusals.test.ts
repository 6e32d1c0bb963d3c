// Refusals that another check would also catch, told apart by what they say: an empty value is
// not a tombstone, an array is not an envelope, a parser position past 9 keeps its digits.

import assert from "node:assert/strict";
import { test } from "node:test";
import { convertValue } from "../../../src/core/connect-schema.ts";
import { parseMessage } from "../../../src/core/decode.ts";
import { decodeKafkaRecord } from "../../../src/core/record.ts";
import { PoisonError } from "../../../src/core/errors.ts";
import { numberText } from "../../../src/core/json.ts";
import type { ChangeEvent } from "../../../src/core/types.ts";
import { pgKey, record } from "../../support/debezium-records.ts";

const auto = { versionSource: "auto", epoch: 0 } as const;

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PoisonError, String(err));
    return err.message;
  }
  assert.fail("accepted");
}

test("an empty value says it is not a tombstone; an array says it is not an envelope", () => {
  const base = record({ offset: "1", key: pgKey(1) });
  assert.match(
    message(() => decodeKafkaRecord({ ...base, value: Buffer.alloc(0) }, auto)),
    /value is empty/,
  );
  assert.match(
    message(() => decodeKafkaRecord({ ...base, value: Buffer.from("[1]") }, auto)),
    /not a Debezium envelope object/,
  );
});

test("a parser position of several digits is kept whole", () => {
  assert.equal(
    message(() => parseMessage(Buffer.from('{"abcdefghij":1}x'), "value")),
    "the message value is not JSON (17 bytes, malformed at character 16)",
  );
});

test("an envelope without a source block decodes (column versions need none)", () => {
  const value = Buffer.from(JSON.stringify({ op: "u", after: { id: 1, rev: 3 } }));
  const d = decodeKafkaRecord(record({ offset: "1", key: pgKey(1), value }), {
    versionSource: "column",
    versionColumn: "rev",
    epoch: 0,
  });
  assert.equal(d.kind, "change");
  assert.equal((d as { event: ChangeEvent }).event.sourceTsMs, undefined);
});

test("exponents of several digits are numbers; a struct field called `value` is not a decimal", () => {
  assert.equal(numberText("1e10"), "1e10");
  assert.deepEqual(convertValue({ value: "AQ==" }, { type: "struct" }), { value: "AQ==" });
});
