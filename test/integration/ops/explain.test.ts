// `cdc-sink explain` against real items: each outcome and each poison code the guard or the decoder
// can give, read from the topic (and from stdin), with the table read but never written.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { Producer } from "kafkajs";
import { DynamoDbSink } from "../../../src/adapters/dynamodb/put-sink.ts";
import { decodeKafkaRecord } from "../../../src/core/record.ts";
import type { ChangeEvent } from "../../../src/core/types.ts";
import type { Explanation } from "../../../src/ops/explain.ts";
import { pgKey, pgRecord, pgValue } from "../../support/debezium-records.ts";
import { createTable, dynamoClient, scanTable } from "../../support/dynamo.ts";
import { createTopic } from "../../support/kafka.ts";
import { connectedProducer } from "../../support/kafka-progress.ts";
import { uniqueName } from "../../support/names.ts";
import { stackEndpoints, type Endpoints } from "../../support/stack.ts";
import { cli, parsed, send } from "./cli.ts";

let endpoints: Endpoints;
let producer: Producer;
const topic = uniqueName("explain");
const table = uniqueName("explain_tbl");
let env: Record<string, string>;

const change = (id: number, lsn: number, row: Record<string, unknown> = {}) => ({
  key: pgKey(id),
  value: pgValue({ op: "u", id, lsn, lastCommitLsn: lsn, row }),
});

before(async () => {
  endpoints = stackEndpoints();
  producer = await connectedProducer(endpoints.kafkaBrokers);
  await createTopic(endpoints.kafkaBrokers, topic, 1);
  await createTable(endpoints.dynamodbEndpoint, table);
  env = { KAFKA_TOPICS: topic, KAFKA_GROUP_ID: uniqueName("g"), DYNAMODB_TABLE: table };
  await send(producer, topic, [
    change(1, 100, { name: "a" }), // 0: the item's own version → duplicate once written
    change(1, 50), // 1: older than the item → stale
    change(2, 10), // 2: no item → applied
    { key: pgKey(3), value: Buffer.from("{not json") }, // 3: undecodable
    change(4, 10, { blob: "x".repeat(420_000) }), // 4: item_too_large
    { key: null, value: pgValue({ op: "c", id: 5, lsn: 10 }) }, // 5: missing_key
    change(6, 10), // 6: the item was not written by the sink → foreign_item
    change(7, 10), // 7: the item has a version of another scheme → version_scheme_mismatch
    { key: pgKey(8), value: null }, // 8: a Kafka tombstone → skipped
  ]);
  // The item of key 1, written by the sink's own conditional put.
  const client = dynamoClient(endpoints.dynamodbEndpoint);
  try {
    const record = pgRecord({ op: "u", id: 1, lsn: 100, lastCommitLsn: 100, row: { name: "a" } }, 0, topic);
    const event = (decodeKafkaRecord(record, { versionSource: "auto", epoch: 0 }) as { event: ChangeEvent })
      .event;
    const options = { table, keyAttribute: "pk", ttlAttribute: "_cdc_expires_at", tombstoneTtlSeconds: 0 };
    assert.equal(
      await new DynamoDbSink(client, { ...options, compression: "none" }).write(event, record),
      "applied",
    );
    for (const [id, version] of [
      [6, undefined],
      [7, "ko:0000:00000000000000000001"],
    ] as const) {
      const item = { pk: { S: `pg.app.public.customers:[${id}]` }, name: { S: "outside" } };
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: version === undefined ? item : { ...item, _cdc_version: { S: version } },
        }),
      );
    }
  } finally {
    client.destroy();
  }
});
after(async () => {
  await producer.disconnect();
});

async function explainAt(offset: number): Promise<Explanation> {
  const r = await cli(endpoints, env, [
    "explain",
    "--topic",
    topic,
    "--partition",
    "0",
    "--offset",
    String(offset),
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  return parsed<Explanation>(r);
}

test("explain names each outcome and poison code, and writes nothing", async () => {
  const before = await scanTable(endpoints.dynamodbEndpoint, table);
  const expected: [number, string, string?][] = [
    [0, "duplicate"],
    [1, "stale"],
    [2, "applied"],
    [3, "poison", "undecodable"],
    [4, "poison", "item_too_large"],
    [5, "poison", "missing_key"],
    [6, "poison", "foreign_item"],
    [7, "poison", "version_scheme_mismatch"],
    [8, "skipped"],
  ];
  for (const [offset, outcome, code] of expected) {
    const e = await explainAt(offset);
    assert.equal(e.outcome, outcome, `offset ${offset}: ${e.reason}`);
    assert.equal(e.code, code, `offset ${offset}`);
  }
  assert.deepEqual(await scanTable(endpoints.dynamodbEndpoint, table), before, "explain wrote to the table");
});

test("a stale record shows both versions field by field, the item's size and write units", async () => {
  const e = await explainAt(1);
  assert.equal(e.identity?.itemKey, "pg.app.public.customers:[1]");
  assert.equal(e.stored?.version?.endsWith("00000000000000000100"), true);
  const decisive = e.versions?.find((f) => f.order !== "=");
  assert.deepEqual([decisive?.field, decisive?.order], ["lastCommitLsn", "<"]);
  assert.ok((e.item?.sizeBytes ?? 0) > 0 && e.item?.writeUnits.put === 1);
});

test("a record on stdin is explained against the table too; a bad offset is refused (exit 2)", async () => {
  const value = pgValue({ op: "u", id: 1, lsn: 500, lastCommitLsn: 500 }).toString();
  const r = await cli(
    endpoints,
    env,
    ["explain", "--topic", topic, "--stdin", "--key", '{"id":1}', "--json"],
    value,
  );
  assert.equal(r.code, 0, r.stderr);
  const e = parsed<Explanation>(r);
  assert.equal(e.outcome, "applied");
  assert.match(e.reason, /older than the record's/);
  const bad = await cli(endpoints, env, ["explain", "--topic", topic, "--partition", "0", "--offset", "99"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /holds offsets 0\.\.8, not 99/);
});
