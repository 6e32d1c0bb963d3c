// DynamoDB helpers for integration tests: a client for the stack's store (dynoxide, docs/store.md),
// table set-up through the product's own init-table code, and a consistent full scan.

import {
  CreateTableCommand,
  DynamoDBClient,
  ScanCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { readStream, streamCounts } from "./stream-evidence.ts";
import { initTable } from "../../src/adapters/dynamodb/table.ts";

export function dynamoClient(endpoint: string, region = "us-east-1"): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
}

export async function createTable(endpoint: string, table: string, keyAttribute = "pk"): Promise<void> {
  const client = dynamoClient(endpoint);
  try {
    await initTable(client, table, keyAttribute);
  } finally {
    client.destroy();
  }
}

/** Every item, keyed by the key attribute, read with strong consistency. */
export async function scanTable(
  endpoint: string,
  table: string,
  keyAttribute = "pk",
): Promise<Map<string, Record<string, AttributeValue>>> {
  const items = await scanItems(endpoint, table);
  return new Map(items.map((item) => [item[keyAttribute]!.S!, item]));
}

/** Every item of a table of any key schema, read with strong consistency, in the scan's order. */
export async function scanItems(endpoint: string, table: string): Promise<Record<string, AttributeValue>[]> {
  const client = dynamoClient(endpoint);
  const items: Record<string, AttributeValue>[] = [];
  try {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  } finally {
    client.destroy();
  }
  return items;
}

/**
 * The item with every map's members (the item's own included) in name order. DynamoDB gives them
 * no order, and dynoxide's changes from reply to reply (test/integration/store): compare this, or
 * deepEqual the items, never their JSON as it came.
 */
export function canonical(item: Record<string, AttributeValue>): Record<string, AttributeValue> {
  const sortMap = (m: Record<string, AttributeValue>): Record<string, AttributeValue> =>
    Object.fromEntries(
      Object.keys(m)
        .sort()
        .map((k) => [k, value(m[k]!)]),
    );
  const value = (v: AttributeValue): AttributeValue =>
    v.M !== undefined ? { M: sortMap(v.M) } : v.L !== undefined ? { L: v.L.map(value) } : v;
  return sortMap(item);
}

/** The item without attributes that legitimately differ between two runs of the same data. */
export function stable(item: Record<string, AttributeValue>): Record<string, AttributeValue> {
  const rest = { ...item };
  delete rest["_cdc_written_at"];
  return rest;
}

/** A table like init-table's, plus a stream of every write that passed its condition (evidence). */
export async function createStreamedTable(endpoint: string, table: string): Promise<void> {
  const client = dynamoClient(endpoint);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
      }),
    );
  } finally {
    client.destroy();
  }
}

/** Regressions and duplicate effects, counted from the table's stream. */
export async function writeEvidence(
  endpoint: string,
  table: string,
): Promise<ReturnType<typeof streamCounts>> {
  const client = dynamoClient(endpoint);
  const streams = new DynamoDBStreamsClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    return streamCounts(await readStream(client, streams, table));
  } finally {
    client.destroy();
    streams.destroy();
  }
}
