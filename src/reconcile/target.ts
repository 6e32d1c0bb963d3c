// The DynamoDB side: a paginated, strongly consistent Scan of the items of one source (parallel
// segments for throughput, one page of each in memory at a time), and BatchGetItem for samples.

import {
  BatchGetItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ScanCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { META } from "../core/item.ts";
import { ReconcileInputError } from "./source.ts";

export type TargetOptions = {
  readonly table: string;
  readonly region: string;
  readonly endpoint?: string | undefined;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
};

type Item = Record<string, AttributeValue>;

export function targetClient(o: TargetOptions): DynamoDBClient {
  // Unlike the sink's writer, a reader may let the SDK retry throttled pages (standard mode).
  return new DynamoDBClient({
    region: o.region,
    maxAttempts: 8,
    ...(o.endpoint === undefined ? {} : { endpoint: o.endpoint }),
    ...(o.credentials === undefined ? {} : { credentials: o.credentials }),
  });
}

/** Checks the table exists and returns its approximate item count (for progress). */
export async function describeTarget(client: DynamoDBClient, table: string): Promise<number> {
  try {
    const d = await client.send(new DescribeTableCommand({ TableName: table }));
    return d.Table?.ItemCount ?? 0;
  } catch (err) {
    if ((err as { name?: string }).name === "ResourceNotFoundException")
      throw new ReconcileInputError(`DynamoDB table ${table} does not exist`);
    throw err;
  }
}

/**
 * Calls `onItem` for every item of the `sources` (no sources: every item, for items without
 * `_cdc_source`: the caller routes them); segments run concurrently, `onItem` may apply
 * backpressure.
 */
export async function scanSources(
  client: DynamoDBClient,
  table: string,
  sources: readonly string[],
  segments: number,
  onItem: (item: Item) => Promise<void>,
): Promise<void> {
  // The filter saves the transfer, not the read: a Scan reads the whole table whatever it returns.
  const values = Object.fromEntries(sources.map((s, i) => [`:s${i}`, { S: s }]));
  const segment = async (n: number): Promise<void> => {
    let start: Item | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: table,
          ConsistentRead: true,
          ...(sources.length === 0
            ? {}
            : {
                FilterExpression: `#source IN (${Object.keys(values).join(", ")})`,
                ExpressionAttributeNames: { "#source": META.source },
                ExpressionAttributeValues: values,
              }),
          ExclusiveStartKey: start,
          ...(segments > 1 ? { Segment: n, TotalSegments: segments } : {}),
        }),
      );
      for (const item of page.Items ?? []) await onItem(item);
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  };
  await Promise.all(Array.from({ length: segments }, (_, n) => segment(n)));
}

/** A key's identity for lookups: its attributes' values, in `attributes` order. */
export function keyText(item: Item, attributes: readonly string[]): string {
  return JSON.stringify(
    attributes.map((a) => {
      const v = item[a];
      return v?.S ?? v?.N ?? (v?.B === undefined ? null : `B:${Buffer.from(v.B).toString("base64")}`);
    }),
  );
}

/**
 * The items of these keys, by keyText (absent keys are simply not in the map); retries unprocessed
 * keys.
 */
export async function getItems(
  client: DynamoDBClient,
  table: string,
  attributes: readonly string[],
  keys: readonly Item[],
): Promise<Map<string, Item>> {
  const found = new Map<string, Item>();
  const unique = [...new Map(keys.map((k) => [keyText(k, attributes), k])).values()];
  for (let i = 0; i < unique.length; i += 100) {
    let request: Item[] = unique.slice(i, i + 100);
    for (let attempt = 0; request.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt)));
      const out = await client.send(
        new BatchGetItemCommand({ RequestItems: { [table]: { Keys: request, ConsistentRead: true } } }),
      );
      for (const item of out.Responses?.[table] ?? []) found.set(keyText(item, attributes), item);
      request = out.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  }
  return found;
}
