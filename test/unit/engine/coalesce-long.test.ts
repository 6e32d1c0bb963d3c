// Coalescing long groups (src/engine/coalesce.ts): past 64 elements V8's sort stops being one
// binary insertion and merges sorted runs (galloping), a second path through the comparator that
// the short groups of coalesce.test.ts never take.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChangeEvent, KafkaRecord } from "../../../src/core/types.ts";
import { newestFirst, type Candidate } from "../../../src/engine/coalesce.ts";

function candidate(version: string, offset: bigint): Candidate {
  return {
    event: { version } as ChangeEvent,
    record: { topic: "t", partition: 0, offset: offset.toString() } as KafkaRecord,
  };
}

/** A fixed shuffle (a linear congruential sequence), so the test is the same on every run. */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  let seed = 12345;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

test("hundreds of records of one version: the latest offset first, all in descending order", () => {
  for (const size of [65, 200, 1000]) {
    const offsets = Array.from({ length: size }, (_, i) => 2n ** 60n + BigInt(i * 7));
    const got = newestFirst(shuffled(offsets).map((o) => candidate("v", o))).map((c) => c.record.offset);
    assert.deepEqual(got, [...offsets].reverse().map(String), `group of ${size}`);
  }
});

test("ascending and descending input give the same order", () => {
  const offsets = Array.from({ length: 100 }, (_, i) => BigInt(i));
  const expected = [...offsets].reverse().map(String);
  const of = (list: bigint[]) => newestFirst(list.map((o) => candidate("v", o))).map((c) => c.record.offset);
  assert.deepEqual(of(offsets), expected);
  assert.deepEqual(of([...offsets].reverse()), expected);
});

test("a long mixed group: versions descending, then offsets descending", () => {
  const pairs = shuffled(
    Array.from({ length: 300 }, (_, i) => [String.fromCharCode(97 + (i % 5)), BigInt(i)] as const),
  );
  const got = newestFirst(pairs.map(([v, o]) => candidate(v, o)));
  for (let i = 1; i < got.length; i++) {
    const [x, y] = [got[i - 1]!, got[i]!];
    assert.ok(
      x.event.version > y.event.version ||
        (x.event.version === y.event.version && BigInt(x.record.offset) > BigInt(y.record.offset)),
      `at ${i}`,
    );
  }
});
