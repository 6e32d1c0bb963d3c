// The documented type mapping, checked against real Debezium output: the fixture holds events that
// Debezium 3.1 (PostgreSQL connector, JsonConverter) emitted for one table of many types under four
// converter settings, and the same rows as reconcile reads them from PostgreSQL. Each event goes
// through the sink's own decoder and item builder; reconcile must then find the item equal to the row.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { decodeKey } from "../../../src/core/decode.ts";
import { decodeKafkaRecord } from "../../../src/core/record.ts";
import { encodeId, itemKey } from "../../../src/core/identity.ts";
import { parseJson, type JsonValue } from "../../../src/core/json.ts";
import { buildPut } from "../../../src/core/item.ts";
import { truncateRequest } from "../../../src/core/truncate.ts";
import { differingColumns, itemEntry, sourceEntry } from "../../../src/reconcile/entry.ts";
import { candidateItemKeys, candidateKeys } from "../../../src/reconcile/sink-key.ts";
import { TableMapping } from "../../../src/core/mapping.ts";
import {
  DEFAULT_SETTINGS,
  type Column,
  type ConverterSettings,
  type TableInfo,
} from "../../../src/reconcile/types.ts";

type Fixture = {
  table: { columns: Column[]; key: string[] };
  rows: string[];
  configs: Record<
    string,
    { schemas: boolean; settings: Record<string, string>; events: { key: string; value: string }[] }
  >;
};

const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/debezium-types.json", import.meta.url), "utf8"),
) as Fixture;
const table: TableInfo = {
  schema: "SCHEMA",
  table: "types",
  columns: fixture.table.columns,
  key: fixture.table.key.map((k) => fixture.table.columns.find((c) => c.name === k)!),
};
const rows = fixture.rows.map((r) => parseJson(r) as JsonValue[]);
const layout = { keyAttribute: "pk", ttlAttribute: "_cdc_expires_at" };
const itemOptions = {
  table: "t",
  keyAttribute: "pk",
  ttlAttribute: "_cdc_expires_at",
  tombstoneTtlSeconds: 0,
  compression: "none" as const,
};

function settingsOf(s: Record<string, string>): ConverterSettings {
  return {
    decimalHandling: (s["decimal.handling.mode"] ??
      DEFAULT_SETTINGS.decimalHandling) as ConverterSettings["decimalHandling"],
    timePrecision: (s["time.precision.mode"] ??
      DEFAULT_SETTINGS.timePrecision) as ConverterSettings["timePrecision"],
    binaryHandling: (s["binary.handling.mode"] ??
      DEFAULT_SETTINGS.binaryHandling) as ConverterSettings["binaryHandling"],
    intervalHandling: (s["interval.handling.mode"] ??
      DEFAULT_SETTINGS.intervalHandling) as ConverterSettings["intervalHandling"],
  };
}

function itemOf(key: string, value: string) {
  const decoded = decodeKafkaRecord(
    {
      topic: "t",
      partition: 0,
      offset: "1",
      key: Buffer.from(key),
      value: Buffer.from(value),
      headers: {},
      timestamp: "0",
    },
    { versionSource: "auto", epoch: 0 },
  );
  assert.equal(decoded.kind, "change");
  if (decoded.kind !== "change") throw new Error("unreachable");
  return {
    event: decoded.event,
    item: buildPut(decoded.event, { topic: "t", partition: 0, offset: "1" }, itemOptions, 0).Item!,
  };
}

for (const [label, config] of Object.entries(fixture.configs)) {
  const settings = settingsOf(config.settings);

  test(`${label}: every row's item equals the row under the documented mapping`, () => {
    assert.equal(config.events.length, rows.length);
    for (const e of config.events) {
      const { item } = itemOf(e.key, e.value);
      const entry = itemEntry(item, table, settings, layout);
      assert.ok(entry !== undefined, "the item carries its key columns");
      const row = rows.find((r) => sourceEntry(r, table, settings).k === entry.k);
      assert.ok(row !== undefined, `a source row for ${entry.label}`);
      assert.deepEqual(
        differingColumns(sourceEntry(row, table, settings), entry),
        [],
        `${label} ${entry.label}`,
      );
    }
  });

  test(`${label}: a truncate's tombstone (no key columns) is matched to its row by _cdc_id`, () => {
    for (const e of config.events) {
      const { event, item } = itemOf(e.key, e.value);
      const truncate = { source: event.source, version: event.version, versionScheme: "pg:" };
      const at = { topic: "t", partition: 0, offset: "2" };
      const tombstone = truncateRequest(truncate, event.id, at, itemOptions, 0).Item!;
      const entry = itemEntry(tombstone, table, settings, layout);
      assert.ok(entry !== undefined, `keyed by ${event.id}`);
      assert.equal(entry.tomb, true);
      assert.equal(entry.k, itemEntry(item, table, settings, layout)!.k);
    }
    // An id that does not fit the table's key stays a stray, as an item without key columns does.
    const { event } = itemOf(config.events[0]!.key, config.events[0]!.value);
    const truncate = { source: event.source, version: event.version, versionScheme: "pg:" };
    const at = { topic: "t", partition: 0, offset: "2" };
    for (const id of ["[1]", "not json", "{}"])
      assert.equal(
        itemEntry(truncateRequest(truncate, id, at, itemOptions, 0).Item!, table, settings, layout),
        undefined,
      );
  });

  test(`${label}: --sample finds the item key the sink wrote`, () => {
    for (const e of config.events) {
      const { event } = itemOf(e.key, e.value);
      const written = itemKey(event.source, encodeId(decodeKey(Buffer.from(e.key))));
      const id = JSON.stringify(event.keyColumns[1]!.value);
      const row = rows.find((r) => JSON.stringify(r[1]) === id)!;
      const keyValues = table.key.map((k) => row[table.columns.indexOf(k)] ?? null);
      assert.ok(
        candidateItemKeys(event.source, table.key, keyValues, settings).includes(written),
        `${label}: ${written}`,
      );
    }
  });

  test(`${label}: --sample finds the item key a mapping's templates wrote (S and N keys)`, () => {
    const mappings = [
      new TableMapping(
        {
          keyColumns: ["k", "id"],
          partitionKey: { attribute: "PK", template: "K#{k}" },
          sortKey: { attribute: "SK", type: "N", template: "{id}" },
        },
        { keyAttribute: "pk", ttlAttribute: "_cdc_expires_at", manyTopics: false },
      ),
      new TableMapping(
        { keyColumns: ["k", "id"], partitionKey: { attribute: "PK", template: "{$source}|{id}#{k}" } },
        { keyAttribute: "pk", ttlAttribute: "_cdc_expires_at", manyTopics: false },
      ),
    ];
    for (const mapping of mappings)
      for (const e of config.events) {
        const { event } = itemOf(e.key, e.value);
        const written = JSON.stringify(mapping.key(event));
        const id = JSON.stringify(event.keyColumns[1]!.value);
        const row = rows.find((r) => JSON.stringify(r[1]) === id)!;
        const keyValues = table.key.map((k) => row[table.columns.indexOf(k)] ?? null);
        const candidates = candidateKeys(event.source, table.key, keyValues, settings, mapping, "pk");
        assert.ok(
          candidates.map((c) => JSON.stringify(c)).includes(written),
          `${label}: ${written} among ${JSON.stringify(candidates)}`,
        );
      }
  });
}

test("a changed value, under any setting, is reported by column name", () => {
  const config = fixture.configs["schemas-defaults"]!;
  const { item } = itemOf(config.events[0]!.key, config.events[0]!.value);
  const tampered = {
    ...item,
    big: { N: "9007199254740992" },
    ts: { S: "2024-05-01T10:00:00.123457Z" },
    j: { S: '{"a": 1.1, "b": [1, 2000, "ü"], "big": 1}' },
  };
  const entry = itemEntry(tampered, table, DEFAULT_SETTINGS, layout)!;
  const row = rows.find((r) => sourceEntry(r, table, DEFAULT_SETTINGS).k === entry.k)!;
  assert.deepEqual(differingColumns(sourceEntry(row, table, DEFAULT_SETTINGS), entry), ["big", "j", "ts"]);
});

test("precise decimals without the schema wrapper are not faithful, and reconcile says so", () => {
  // Debezium's default decimal.handling.mode=precise with schemas.enable=false leaves base64 bytes.
  const config = fixture.configs["schemas-defaults"]!;
  const e = config.events.find((x) => x.value.includes('"a:b'))!;
  const wrapped = JSON.parse(e.value) as { payload: JsonValue };
  const unwrapped = JSON.stringify(wrapped.payload);
  const { item } = itemOf(JSON.stringify((JSON.parse(e.key) as { payload: JsonValue }).payload), unwrapped);
  const entry = itemEntry(item, table, DEFAULT_SETTINGS, layout)!;
  const row = rows.find((r) => sourceEntry(r, table, DEFAULT_SETTINGS).k === entry.k)!;
  const differing = differingColumns(sourceEntry(row, table, DEFAULT_SETTINGS), entry);
  for (const c of ["n", "nv", "narr", "m"])
    assert.ok(differing.includes(c), `${c} in ${differing.join(",")}`);
});
