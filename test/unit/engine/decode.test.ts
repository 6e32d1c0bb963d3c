import assert from "node:assert/strict";
import { test } from "node:test";
import { PoisonError } from "../../../src/core/errors.ts";
import type { Decoded, KafkaRecord } from "../../../src/core/types.ts";
import { decodeSafely } from "../../../src/engine/decode.ts";

const record = { topic: "t", partition: 0, offset: "1" } as KafkaRecord;
const options = { versionSource: "auto", epoch: 0 } as const;

test("the decoder's result and arguments pass through", () => {
  const decoded: Decoded = { kind: "skip", reason: "kafka_tombstone" };
  let seen: unknown[] = [];
  const result = decodeSafely(
    (r, o) => {
      seen = [r, o];
      return decoded;
    },
    record,
    options,
  );
  assert.equal(result, decoded);
  assert.deepEqual(seen, [record, options]);
});

test("a PoisonError of the decoder is rethrown as it is", () => {
  const poison = new PoisonError("invalid_envelope", "bad");
  assert.throws(
    () =>
      decodeSafely(
        () => {
          throw poison;
        },
        record,
        options,
      ),
    (err) => err === poison,
  );
});

test("any other failure is poison (decode_failed), keeps its cause and names only its kind", () => {
  const cases: [unknown, string][] = [
    [new RangeError("row bytes: secret"), "RangeError"],
    [new TypeError("row bytes: secret"), "TypeError"],
    ["row bytes: secret", "string"],
    [undefined, "undefined"],
  ];
  for (const [thrown, kind] of cases) {
    assert.throws(
      () =>
        decodeSafely(
          () => {
            throw thrown;
          },
          record,
          options,
        ),
      (err) => {
        assert.ok(err instanceof PoisonError);
        assert.equal(err.code, "decode_failed");
        assert.equal(err.cause, thrown);
        assert.ok(err.message.includes(kind), err.message);
        assert.ok(!err.message.includes("secret"), err.message);
        return true;
      },
    );
  }
});
