// The Confluent wire format (avro/wire.ts): magic byte 0, a big-endian 4-byte schema id, the body.

import assert from "node:assert/strict";
import { test } from "node:test";
import { HEADER_BYTES, MAGIC_BYTE, unframe } from "../../../../src/core/avro/wire.ts";
import { PoisonError } from "../../../../src/core/errors.ts";

function refusal(bytes: Buffer, what: "key" | "value" = "value"): PoisonError {
  try {
    unframe(bytes, what);
  } catch (err) {
    assert.ok(err instanceof PoisonError, `expected PoisonError, got ${String(err)}`);
    assert.equal(err.code, "undecodable");
    return err;
  }
  assert.fail("expected a PoisonError");
}

test("the header is the magic byte 0 and a big-endian unsigned schema id", () => {
  assert.equal(MAGIC_BYTE, 0);
  assert.equal(HEADER_BYTES, 5);
  const f = unframe(Buffer.from([0, 0x80, 0, 1, 2, 7, 8]), "value");
  assert.equal(f.schemaId, 0x80000102);
  assert.deepEqual([...f.body], [7, 8]);
  // A header alone is a valid frame with an empty body (an Avro datum may be zero bytes).
  const bare = unframe(Buffer.from([0, 0, 0, 0, 9]), "key");
  assert.equal(bare.schemaId, 9);
  assert.equal(bare.body.length, 0);
});

test("too short or another magic byte is undecodable, saying what was seen", () => {
  assert.match(refusal(Buffer.alloc(0)).message, /0 bytes, no bytes/);
  assert.match(refusal(Buffer.from([0, 0, 0, 1])).message, /4 bytes, first byte 0x00/);
  assert.match(refusal(Buffer.from([1, 0, 0, 0, 1]), "key").message, /message key .*first byte 0x01/);
  assert.match(refusal(Buffer.from([0xab, 0, 0, 0, 1])).message, /first byte 0xab/);
});
