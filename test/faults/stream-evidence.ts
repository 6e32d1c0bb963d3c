// Evidence that the final table cannot give: DynamoDB Local's stream of the table records every
// write that passed its condition, with the old and new image. From it we count
//   regression       — a write whose new version is lower than the one it replaced;
//   duplicate effect — a (key, version) written more than once.
// The sink writes each item with `_cdc_version`; the stream is enabled by the harness.

import { DescribeTableCommand, type AttributeValue, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from "@aws-sdk/client-dynamodb-streams";

export type StreamWrite = { key: string; oldVersion: string | undefined; newVersion: string | undefined; seq: string };

export async function readStream(client: DynamoDBClient, streams: DynamoDBStreamsClient, table: string): Promise<StreamWrite[]> {
  const arn = (await client.send(new DescribeTableCommand({ TableName: table }))).Table?.LatestStreamArn;
  if (arn === undefined) throw new Error(`table ${table} has no stream`);
  const writes: StreamWrite[] = [];
  let start: string | undefined;
  do {
    const d = await streams.send(new DescribeStreamCommand({ StreamArn: arn, ExclusiveStartShardId: start }));
    for (const shard of d.StreamDescription?.Shards ?? []) {
      let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard.ShardId!, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
      for (let empty = 0; iterator !== undefined && empty < 2; ) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        const records = page.Records ?? [];
        if (records.length === 0) empty++;
        for (const r of records) {
          const keys = r.dynamodb?.Keys as Record<string, AttributeValue> | undefined;
          writes.push({
            key: Object.values(keys ?? {})[0]?.S ?? "?",
            oldVersion: (r.dynamodb?.OldImage as Record<string, AttributeValue> | undefined)?.["_cdc_version"]?.S,
            newVersion: (r.dynamodb?.NewImage as Record<string, AttributeValue> | undefined)?.["_cdc_version"]?.S,
            seq: r.dynamodb?.SequenceNumber ?? "",
          });
        }
        iterator = page.NextShardIterator;
      }
    }
    start = d.StreamDescription?.LastEvaluatedShardId;
  } while (start !== undefined);
  return writes;
}

export function streamCounts(writes: readonly StreamWrite[]): { regression: number; duplicateEffect: number; writes: number } {
  let regression = 0;
  const seen = new Map<string, number>();
  for (const w of writes) {
    if (w.oldVersion !== undefined && w.newVersion !== undefined && w.newVersion < w.oldVersion) regression++;
    const id = `${w.key}@${w.newVersion}`;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  let duplicateEffect = 0;
  for (const n of seen.values()) if (n > 1) duplicateEffect += n - 1;
  return { regression, duplicateEffect, writes: writes.length };
}
