// No row value may appear in an error message: poison messages go to DLQ headers and logs, and
// rows hold personal data. Every poison path of the core is driven with a canary in the row (and
// in the key and the source block) and its message scanned for it.

import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeKafkaRecord } from "../../../src/core/record.ts";
import { PoisonError, errorMessage } from "../../../src/core/errors.ts";
import { buildPut } from "../../../src/core/item.ts";
import type { ChangeEvent, DecodeOptions } from "../../../src/core/types.ts";
import { pgEnvelope, pgKey, record } from "../../support/debezium-records.ts";

const CANARY = "Zq7canary9Xk";
const auto: DecodeOptions = { versionSource: "auto", epoch: 0 };
const column: DecodeOptions = { versionSource: "column", versionColumn: "rev", epoch: 0 };

function envelope(over: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify({ ...pgEnvelope({ op: "u", id: 1, lsn: 10 }), ...over }));
}

function poison(fn: () => unknown): PoisonError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PoisonError, `expected a PoisonError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a PoisonError");
}

const at = { topic: "t", partition: 0, offset: "1" };
const itemOptions = {
  table: "t",
  keyAttribute: "pk",
  ttlAttribute: "_cdc_expires_at",
  tombstoneTtlSeconds: 0,
  compression: "none",
} as const;

// name → a call that must end in a PoisonError; the value is the row/key/source holding the canary.
const cases: Record<string, () => unknown> = {
  "value not JSON": () =>
    decodeKafkaRecord(
      record({ offset: "1", key: pgKey(1), value: Buffer.from(`{"after":{"n":"${CANARY}"`) }),
      auto,
    ),
  "value not JSON, bare text": () =>
    decodeKafkaRecord(record({ offset: "1", key: pgKey(1), value: Buffer.from(`${CANARY} and more`) }), auto),
  "value not JSON, short": () =>
    decodeKafkaRecord(record({ offset: "1", key: pgKey(1), value: Buffer.from(`{"a":${CANARY}}`) }), auto),
  "key not JSON": () =>
    decodeKafkaRecord(
      record({ offset: "1", key: Buffer.from(`{"id":"${CANARY}`), value: envelope({}) }),
      auto,
    ),
  "value not UTF-8": () =>
    decodeKafkaRecord(
      record({
        offset: "1",
        key: pgKey(1),
        value: Buffer.concat([Buffer.from(CANARY), Buffer.from([0xff])]),
      }),
      auto,
    ),
  "envelope invalid": () =>
    decodeKafkaRecord(
      record({ offset: "1", key: pgKey(1), value: envelope({ op: CANARY, after: CANARY }) }),
      auto,
    ),
  "column version not a timestamp": () =>
    decodeKafkaRecord(
      record({ offset: "1", key: pgKey(1), value: envelope({ after: { id: 1, rev: `${CANARY}` } }) }),
      column,
    ),
  "column version with a fraction": () =>
    decodeKafkaRecord(
      record({
        offset: "1",
        key: pgKey(1),
        value: Buffer.from(
          envelope({}).toString().replace('"after":{"id":1}', '"after":{"id":1,"rev":123456.789}'),
        ),
      }),
      column,
    ),
  "column version absent from a delete": () =>
    decodeKafkaRecord(
      record({
        offset: "1",
        key: pgKey(1),
        value: envelope({ op: "d", before: { id: 1, name: CANARY }, after: null }),
      }),
      column,
    ),
  "sequence not JSON": () =>
    decodeKafkaRecord(
      record({
        offset: "1",
        key: pgKey(1),
        value: envelope({ source: { connector: "postgresql", sequence: CANARY } }),
      }),
      auto,
    ),
  "sequence not a pair": () =>
    decodeKafkaRecord(
      record({
        offset: "1",
        key: pgKey(1),
        value: envelope({ source: { connector: "postgresql", sequence: `["${CANARY}"]` } }),
      }),
      auto,
    ),
  "lsn not a number": () =>
    decodeKafkaRecord(
      record({
        offset: "1",
        key: pgKey(1),
        value: envelope({ source: { connector: "postgresql", lsn: CANARY } }),
      }),
      auto,
    ),
  "mysql file not a binlog name": () =>
    decodeKafkaRecord(
      record({
        offset: "1",
        key: pgKey(1),
        value: envelope({ source: { connector: "mysql", file: CANARY, pos: 4 } }),
      }),
      auto,
    ),
  "unavailable value": () =>
    decodeKafkaRecord(
      record({
        offset: "1",
        key: pgKey(CANARY),
        value: envelope({ after: { id: CANARY, big: "__debezium_unavailable_value" } }),
      }),
      auto,
    ),
  "decimal scale out of range": () => {
    const schema = {
      type: "struct",
      fields: [
        {
          field: "after",
          type: "struct",
          fields: [{ field: "n", type: "struct", name: "io.debezium.data.VariableScaleDecimal" }],
        },
      ],
    };
    const payload = pgEnvelope({
      op: "u",
      id: 1,
      lsn: 10,
      row: { n: { scale: 1e9, value: "AQ==" }, c: CANARY },
    });
    return decodeKafkaRecord(
      record({ offset: "1", key: pgKey(1), value: Buffer.from(JSON.stringify({ schema, payload })) }),
      auto,
    );
  },
  "nested too deep": () =>
    decodeKafkaRecord(
      record({
        offset: "1",
        key: pgKey(1),
        value: envelope({
          after: {
            id: 1,
            deep: JSON.parse("[".repeat(40) + `"${CANARY}"` + "]".repeat(40)) as unknown,
          },
        }),
      }),
      auto,
    ),
  "key too large": () => {
    const d = decodeKafkaRecord(
      record({ offset: "1", key: pgKey(CANARY.repeat(200)), value: envelope({}) }),
      auto,
    );
    return buildPut((d as { event: ChangeEvent }).event, at, itemOptions, 0);
  },
  "item too large": () => {
    const d = decodeKafkaRecord(
      record({
        offset: "1",
        key: pgKey(CANARY),
        value: envelope({ after: { id: CANARY, big: CANARY.repeat(40_000) } }),
      }),
      auto,
    );
    return buildPut((d as { event: ChangeEvent }).event, at, itemOptions, 0);
  },
};

for (const [name, run] of Object.entries(cases)) {
  test(`poison message without row values: ${name}`, () => {
    const err = poison(run);
    // A prefix too: V8's JSON.parse messages quote the first ten characters of a long input.
    const leak = CANARY.slice(0, 6);
    assert.ok(!err.message.includes(leak), `${err.code}: ${err.message}`);
    const cause = err.cause === undefined ? "" : errorMessage(err.cause);
    assert.ok(!cause.includes(leak), `${err.code} cause: ${cause}`);
  });
}
