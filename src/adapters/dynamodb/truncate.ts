// A truncate on DynamoDB (core/truncate.ts says what is written): the items of the source are found
// with a Scan, filtered on `begins_with(pk, "<source>:")`, and each gets its conditional tombstone.
// Cost: a Scan reads the whole table whatever the filter keeps (read units for every item of every
// source in the table, docs/formats/truncate.md); the filter only trims what comes back. It is a
// strongly consistent Scan: the processor waited for every earlier record of the partition to be
// written, and an eventually consistent page could miss one of those items.

import { ScanCommand, type AttributeValue, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { META, type ItemOptions, type Position } from "../../core/item.ts";
import { sourcePrefix, tombstoneEvent, truncateRequest, type TruncateResult } from "../../core/truncate.ts";
import { Outcome, type ChangeEvent, type TruncateEvent, type WriteOutcome } from "../../core/types.ts";
import { classifyAwsError } from "./errors.ts";

/** Tombstone writes in flight per page: a truncate must not starve the other partitions' writes. */
const CONCURRENCY = 8;

export type TruncateDeps = {
  readonly client: DynamoDBClient;
  readonly options: ItemOptions;
  readonly now: () => number;
  /** One conditional put, its refusal read as `event`'s outcome (the PutItem sink's). */
  readonly put: (input: ReturnType<typeof truncateRequest>, event: ChangeEvent) => Promise<WriteOutcome>;
};

export async function truncateSource(
  d: TruncateDeps,
  truncate: TruncateEvent,
  at: Position,
  onPage?: (page: TruncateResult) => void,
): Promise<TruncateResult> {
  let tombstoned = 0;
  let untouched = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    let page;
    try {
      page = await d.client.send(
        new ScanCommand({
          TableName: d.options.table,
          ConsistentRead: true,
          FilterExpression: "begins_with(#key, :prefix)",
          ProjectionExpression: "#key, #id",
          ExpressionAttributeNames: { "#key": d.options.keyAttribute, "#id": META.id },
          ExpressionAttributeValues: { ":prefix": { S: sourcePrefix(truncate.source) } },
          ExclusiveStartKey: start,
        }),
      );
    } catch (err) {
      throw classifyAwsError(err, d.options.table);
    }
    // An item without `_cdc_id` was not written by this sink: left alone, as a write would be refused.
    const ids = (page.Items ?? []).map((item) => item[META.id]?.S);
    const outcomes = await pooled(ids, async (id) => {
      if (id === undefined) return Outcome.stale;
      return d.put(truncateRequest(truncate, id, at, d.options, d.now()), tombstoneEvent(truncate, id));
    });
    const done = outcomes.filter((o) => o === Outcome.applied).length;
    tombstoned += done;
    untouched += outcomes.length - done;
    onPage?.({ tombstoned: done, untouched: outcomes.length - done });
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return { tombstoned, untouched };
}

/** `work` over `items`, CONCURRENCY at a time; the first failure is thrown once the others settle. */
async function pooled<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const i = next++;
      try {
        out[i] = await work(items[i]!);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  if (failure !== undefined) throw failure.err;
  return out;
}
