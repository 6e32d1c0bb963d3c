import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { ChangeEvent, KafkaRecord } from "../../../src/core/types.ts";
import { newestFirst, type Candidate } from "../../../src/engine/coalesce.ts";

function candidate(version: string, offset: string): Candidate {
  return {
    event: { version } as ChangeEvent,
    record: { topic: "t", partition: 0, offset } as KafkaRecord,
  };
}

const order = (cs: readonly Candidate[]) => cs.map((c) => `${c.event.version}@${c.record.offset}`);

test("newest version first; at an equal version the later offset first", () => {
  const group = [candidate("b", "1"), candidate("c", "2"), candidate("a", "3"), candidate("c", "4")];
  assert.deepEqual(order(newestFirst(group)), ["c@4", "c@2", "b@1", "a@3"]);
  assert.deepEqual(order(group), ["b@1", "c@2", "a@3", "c@4"], "the input is left as it was");
});

test("offsets compare as numbers, beyond 2^53 too; versions as text", () => {
  assert.deepEqual(order(newestFirst([candidate("v", "9"), candidate("v", "10")])), ["v@10", "v@9"]);
  assert.deepEqual(
    order(newestFirst([candidate("v", "9007199254740993"), candidate("v", "9007199254740992")])),
    ["v@9007199254740993", "v@9007199254740992"],
  );
  // Fixed-width versions sort as text: "10" < "9" would be wrong for numbers, right for text.
  assert.deepEqual(order(newestFirst([candidate("10", "1"), candidate("9", "2")])), ["9@2", "10@1"]);
  // Code-unit order, not locale order: "Z" (0x5A) sorts before "a" (0x61).
  assert.deepEqual(order(newestFirst([candidate("Z", "1"), candidate("a", "2")])), ["a@2", "Z@1"]);
});

test("any arrangement gives the same order: versions descending, then offsets descending", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(fc.constantFrom("a", "b", "c"), fc.bigInt({ min: 0n, max: 2n ** 63n })), {
        selector: ([, offset]) => offset,
        minLength: 1,
        maxLength: 12,
      }),
      (pairs) => {
        const group = pairs.map(([v, o]) => candidate(v, o.toString()));
        const got = newestFirst(group);
        for (let i = 1; i < got.length; i++) {
          const [x, y] = [got[i - 1]!, got[i]!];
          const ok =
            x.event.version > y.event.version ||
            (x.event.version === y.event.version && BigInt(x.record.offset) > BigInt(y.record.offset));
          assert.ok(ok, order(got).join(" "));
        }
        assert.equal(got.length, group.length);
      },
    ),
  );
});
