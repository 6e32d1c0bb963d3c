// A truncate against the stack's DynamoDB (dynoxide), through both sinks: the Scan finds exactly
// the items of the truncated source; the older ones get the truncate's tombstone, a newer one and
// other sources' items stay as they are, an item the sink did not write is left alone; run again,
// it writes nothing.

import assert from "node:assert/strict";
import { after, test } from "node:test";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { createDynamoClient } from "../../../../src/adapters/dynamodb/client.ts";
import { DynamoDbSink } from "../../../../src/adapters/dynamodb/put-sink.ts";
import { TransactBatchSink } from "../../../../src/adapters/dynamodb/transact-sink.ts";
import { decodeKafkaRecord } from "../../../../src/core/record.ts";
import type { ChangeEvent, TruncateEvent } from "../../../../src/core/types.ts";
import type { Sink } from "../../../../src/engine/ports.ts";
import { pgRecord } from "../../../support/debezium-records.ts";
import { createTable, scanTable } from "../../../support/dynamo.ts";
import { itemOptions } from "../../../support/item-options.ts";
import { uniqueName } from "../../../support/names.ts";
import { stackEndpoints } from "../../../support/stack.ts";

const endpoints = stackEndpoints();
const client = createDynamoClient({
  region: "us-east-1",
  endpoint: endpoints.dynamodbEndpoint,
  requestTimeoutMs: 30_000,
  maxSockets: 16,
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
});
after(() => client.destroy());

const pad = (n: number): string => String(n).padStart(20, "0");
const at = { topic: "pg.public.customers", partition: 0, offset: "99" };

function change(table: string, id: number, lastCommitLsn: number): ChangeEvent {
  const r = pgRecord({ op: "c", id, lsn: lastCommitLsn + 1, lastCommitLsn, table }, 0);
  const d = decodeKafkaRecord(r, { versionSource: "auto", epoch: 0 });
  assert.equal(d.kind, "change");
  return (d as { event: ChangeEvent }).event;
}

for (const [name, make] of [
  ["PutItem sink", (table: string): Sink => new DynamoDbSink(client, itemOptions(table))],
  [
    "transact sink",
    (table: string): Sink => new TransactBatchSink(client, itemOptions(table), { maxItems: 25, windowMs: 0 }),
  ],
] as const)
  test(`${name}: a truncate tombstones the older items of its source only`, async () => {
    const table = uniqueName("trunc");
    await createTable(endpoints.dynamodbEndpoint, table);
    const sink = make(table);
    for (let id = 1; id <= 30; id++) await sink.write(change("customers", id, 100), at);
    await sink.write(change("customers", 31, 900), at); // committed after the truncate
    await sink.write(change("customers:2", 1, 100), at); // another source, a name that shares the prefix
    await sink.write(change("orders", 1, 100), at);
    // An item this sink did not write (no _cdc_id) under the source's prefix.
    await client.send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: "pg.app.public.customers:[99]" } } }),
    );
    const truncate: TruncateEvent = {
      source: "pg.app.public.customers",
      version: `pg:0000:${pad(500)}:1:${pad(501)}`,
      versionScheme: "pg:",
    };
    const pages: number[] = [];
    const result = await sink.truncate!(truncate, at, (p) => pages.push(p.tombstoned));
    assert.deepEqual(result, { tombstoned: 30, untouched: 2 });
    assert.equal(
      pages.reduce((a, b) => a + b, 0),
      30,
    );
    const items = await scanTable(endpoints.dynamodbEndpoint, table);
    for (let id = 1; id <= 30; id++) {
      const item = items.get(`pg.app.public.customers:[${id}]`)!;
      assert.equal(item["_cdc_deleted"]?.BOOL, true);
      assert.equal(item["_cdc_op"]?.S, "t");
      assert.equal(item["_cdc_version"]?.S, truncate.version);
      assert.equal(item["name"], undefined, "the row's columns are gone");
    }
    assert.equal(items.get("pg.app.public.customers:[31]")?.["_cdc_deleted"]?.BOOL, false);
    assert.equal(items.get("pg.app.public.customers%3A2:[1]")?.["_cdc_deleted"]?.BOOL, false);
    assert.equal(items.get("pg.app.public.orders:[1]")?.["_cdc_deleted"]?.BOOL, false);
    assert.deepEqual(Object.keys(items.get("pg.app.public.customers:[99]")!), ["pk"]);
    // Again (a replay, or a retry after a crash): nothing more to tombstone.
    assert.deepEqual(await sink.truncate!(truncate, at), { tombstoned: 0, untouched: 32 });
  });
