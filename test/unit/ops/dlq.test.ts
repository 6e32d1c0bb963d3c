import type { PoisonCode } from "../../../src/core/error-codes.ts";
import assert from "node:assert/strict";
import { test } from "node:test";
import { PoisonError } from "../../../src/core/errors.ts";
import { deadLetterHeaders } from "../../../src/adapters/kafka/dead-letter.ts";
import { groupDeadLetters, matches, readDeadLetter } from "../../../src/ops/dlq.ts";
import { Tally } from "../../../src/ops/summary.ts";
import { pgRecord, record } from "../../support/debezium-records.ts";

function deadLetter(offset: number, code: PoisonCode, attempts = 1, at = "2026-12-01T10:00:00.000Z") {
  const original = {
    ...pgRecord({ op: "c", id: offset, lsn: 10 + offset }, offset, "src", 2),
    headers: { trace: "t1" },
  };
  const headers = deadLetterHeaders(
    original,
    new PoisonError(code, `bad ${offset}`),
    attempts,
    "g",
    new Date(at),
  );
  return record({
    topic: "dlq",
    partition: 0,
    offset: String(100 + offset),
    key: original.key,
    value: original.value,
    headers,
  });
}

test("a dead letter reads back as the original record, its context and attempts", () => {
  const e = readDeadLetter(deadLetter(7, "item_too_large", 2));
  assert.ok(e !== undefined);
  assert.deepEqual([e.original.topic, e.original.partition, e.original.offset], ["src", 2, "7"]);
  assert.deepEqual(e.original.headers, { trace: "t1" }, "only the original headers stay on the record");
  assert.equal(e.code, "item_too_large");
  assert.equal(e.attempts, 2);
  assert.equal(e.group, "g");
  assert.equal(e.message, "bad 7");
  assert.equal(e.at.offset, "107");
});

test("a record without the context headers is not taken for a dead letter", () => {
  assert.equal(
    readDeadLetter(record({ offset: "1", headers: { "__connect.errors.topic": "x" } })),
    undefined,
  );
});

test("filters by code, source topic and failure time", () => {
  const e = readDeadLetter(deadLetter(1, "undecodable"))!;
  const none = { codes: [], topics: [] };
  assert.ok(matches(e, none));
  assert.ok(!matches(e, { ...none, codes: ["item_too_large"] }));
  assert.ok(!matches(e, { ...none, topics: ["other"] }));
  assert.ok(matches(e, { ...none, sinceMs: Date.parse("2026-12-01T10:00:00Z") }));
  assert.ok(!matches(e, { ...none, untilMs: Date.parse("2026-12-01T10:00:00Z") }));
});

test("grouped by code, topic and partition, largest first, with the first offsets", () => {
  const entries = [
    deadLetter(1, "too_deep"),
    deadLetter(2, "undecodable", 3),
    deadLetter(3, "undecodable"),
    deadLetter(4, "undecodable"),
  ].map((r) => readDeadLetter(r)!);
  const groups = groupDeadLetters(entries, 2);
  assert.deepEqual(
    groups.map((g) => [g.code, g.count, g.maxAttempts]),
    [
      ["undecodable", 3, 3],
      ["too_deep", 1, 1],
    ],
  );
  assert.deepEqual(groups[0]!.first, [
    { offset: "2", dlq: "0@102" },
    { offset: "3", dlq: "0@103" },
  ]);
});

test("the tally counts outcomes and poison codes and keeps the first keys", () => {
  const t = new Tally(1);
  t.add("applied", "k1");
  t.add("applied", "k2");
  t.add("dead_lettered", "src/0@3", "undecodable");
  assert.deepEqual(t.summary(), {
    counts: { applied: 2, dead_lettered: 1 },
    poisonCodes: { undecodable: 1 },
    first: { applied: ["k1"], dead_lettered: ["src/0@3 (undecodable)"] },
  });
  assert.equal(t.total, 3);
});
