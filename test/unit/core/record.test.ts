// The format dispatch of record.ts: what `auto` takes for an envelope, how a tombstone's format is
// told, and the byte-level edges (empty value, empty or unreadable key) before any format runs.

import assert from "node:assert/strict";
import { test } from "node:test";
import { PoisonError } from "../../../src/core/errors.ts";
import { decodeKafkaRecord, decodeParsed, looksLikeEnvelope } from "../../../src/core/record.ts";
import type { DecodeOptions, KafkaRecord } from "../../../src/core/types.ts";
import { pgRecord, record } from "../../support/debezium-records.ts";
import { poisonCode as code } from "../../support/poison.ts";

const auto: DecodeOptions = { format: "auto", versionSource: "auto", epoch: 0 };
const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

test("looksLikeEnvelope: one of Debezium's ops and a before or an after image", () => {
  for (const op of ["c", "u", "d", "r", "t", "m"]) {
    assert.equal(looksLikeEnvelope({ payload: { op, after: null } }), true, op);
    assert.equal(looksLikeEnvelope({ payload: { op, before: null } }), true, op);
  }
  assert.equal(looksLikeEnvelope({ payload: { op: "c" } }), false, "no image");
  assert.equal(looksLikeEnvelope({ payload: { op: "x", after: {} } }), false, "not an op of Debezium's");
  assert.equal(looksLikeEnvelope({ payload: { op: 1, after: {} } }), false, "op not a string");
  assert.equal(looksLikeEnvelope({ payload: { after: {} } }), false, "no op");
  assert.equal(looksLikeEnvelope({ payload: [{ op: "c", after: {} }] }), false, "not an object");
  assert.equal(looksLikeEnvelope({ payload: null }), false);
});

test("auto: a tombstone is flattened only when it carries a __ header other than __op", () => {
  const tomb = (headers: Record<string, string>): KafkaRecord =>
    record({ topic: "t", offset: "1", key: json({ id: 1 }), headers });
  assert.deepEqual(decodeKafkaRecord(tomb({}), auto), { kind: "skip", reason: "kafka_tombstone" });
  assert.deepEqual(decodeKafkaRecord(tomb({ __op: "d" }), auto), { kind: "skip", reason: "kafka_tombstone" });
  assert.deepEqual(decodeKafkaRecord(tomb({ trace__: "1", op: "d" }), auto), {
    kind: "skip",
    reason: "kafka_tombstone",
  });
  const d = decodeKafkaRecord(tomb({ __op: "d", __lsn: "9" }), auto);
  assert.equal(d.kind === "change" && d.event.op, "d");
  // A named format is taken as named, whatever the headers say.
  assert.deepEqual(decodeKafkaRecord(tomb({ __lsn: "9" }), { ...auto, format: "envelope" }), {
    kind: "skip",
    reason: "kafka_tombstone",
  });
  assert.equal(
    code(() => decodeKafkaRecord(tomb({}), { ...auto, format: "flattened" })),
    "flattened_without_version",
  );
});

test("a JSON null value, bare or inside the schema wrapper, is a tombstone", () => {
  for (const value of [Buffer.from("null"), json({ schema: { type: "struct", fields: [] }, payload: null })])
    assert.deepEqual(decodeKafkaRecord(record({ topic: "t", offset: "1", value }), auto), {
      kind: "skip",
      reason: "kafka_tombstone",
    });
});

test("without a format the envelope is read (the default)", () => {
  const d = decodeKafkaRecord(pgRecord({ op: "u", id: 7, lsn: 5, lastCommitLsn: 3 }, 1), {
    versionSource: "auto",
    epoch: 0,
  });
  assert.equal(d.kind === "change" && d.event.versionScheme, "pg:");
  // And a flattened row under the default is no envelope.
  const flat = record({ topic: "t", offset: "1", key: json({ id: 7 }), value: json({ id: 7, __lsn: 5 }) });
  assert.equal(
    code(() => decodeKafkaRecord(flat, { versionSource: "auto", epoch: 0 })),
    "invalid_envelope",
  );
  assert.equal(decodeKafkaRecord(flat, auto).kind, "change");
});

test("an empty value is undecodable; an empty key is no key", () => {
  // Said as such: an empty value is a producer's mistake for a tombstone, not malformed JSON.
  assert.throws(
    () => decodeKafkaRecord(record({ topic: "t", offset: "1", value: Buffer.alloc(0) }), auto),
    (err: unknown) => err instanceof PoisonError && err.code === "undecodable" && /empty/.test(err.message),
  );
  const row = json({ id: 7, __lsn: 5 });
  for (const key of [null, Buffer.alloc(0)])
    assert.equal(
      code(() => decodeKafkaRecord(record({ topic: "t", offset: "1", key, value: row }), auto)),
      "missing_key",
    );
  // A key that is not JSON is the key's fault, reported as such.
  const bad = record({ topic: "t", offset: "1", key: Buffer.from("{"), value: row });
  assert.equal(
    code(() => decodeKafkaRecord(bad, auto)),
    "undecodable",
  );
});

test("the key is read only when needed: a Debezium tombstone's unreadable key is never read", () => {
  const tomb = record({ topic: "t", offset: "1", key: Buffer.from("{") });
  assert.deepEqual(decodeKafkaRecord(tomb, auto), { kind: "skip", reason: "kafka_tombstone" });
  const row = decodeParsed(() => ({ payload: { id: 7 } }), { payload: { id: 7, __lsn: 5 } }, tomb, auto);
  assert.equal(row.kind === "change" && row.event.id, "[7]");
});

test("an unreadable value or key says which of the two it was", () => {
  const bad = Buffer.from("{");
  assert.throws(
    () => decodeKafkaRecord(record({ topic: "t", offset: "1", key: json({ id: 7 }), value: bad }), auto),
    (err: unknown) => err instanceof PoisonError && /value/.test(err.message) && !/key/.test(err.message),
  );
  assert.throws(
    () =>
      decodeKafkaRecord(
        record({ topic: "t", offset: "1", key: bad, value: json({ id: 7, __lsn: 5 }) }),
        auto,
      ),
    (err: unknown) => err instanceof PoisonError && /key/.test(err.message),
  );
});
