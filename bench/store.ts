// B-store: the store's ceiling. A plain loop with the product's DynamoDB client settings sending the
// product's conditional writes (buildPut: same item, same condition) for the benchmark's stream,
// no Kafka. One sweep point = one write shape at one concurrency, on a fresh table, for a fixed time.

import {
  BatchExecuteStatementCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
  type PutItemCommandInput,
} from "@aws-sdk/client-dynamodb";
import { decodeKafkaRecord } from "../src/core/record.ts";
import type { ChangeEvent } from "../src/core/types.ts";
import { itemKey } from "../src/core/identity.ts";
import { createDynamoClient } from "../src/adapters/dynamodb/client.ts";
import { buildPut, type ItemOptions, type Position } from "../src/core/item.ts";
import { cpuMeter } from "./cpu.ts";
import { changeStream, type StreamOptions } from "./workload.ts";

export type Shape = "put" | "transact" | "partiql";
export type StorePoint = { shape: Shape; inFlight: number; chunk: number };
export type StoreResult = StorePoint & {
  records: number;
  seconds: number;
  rate: number;
  requests: number;
  meanLatencyMs: number;
  cpuMsPerRecord: Record<string, number>;
};

/** A stream entry: an event to write, or a Kafka tombstone (counted as a record, never written). */
type Entry = { event: ChangeEvent; at: Position } | null;

export function decodeStream(o: StreamOptions): Entry[] {
  const out: Entry[] = [];
  let offset = 0;
  for (const m of changeStream(o)) {
    const at = { topic: "bench", partition: 0, offset: String(offset++) };
    const d = decodeKafkaRecord(
      { ...at, key: m.key, value: m.value, headers: {}, timestamp: "0" },
      { versionSource: "auto", epoch: 0 },
    );
    out.push(d.kind === "change" ? { event: d.event, at } : null);
  }
  return out;
}

type Batch = { event: ChangeEvent; at: Position }[];
type Sender = (batch: Batch) => Promise<number>;

function isConditionFailure(err: unknown): boolean {
  return (err as { name?: string }).name === "ConditionalCheckFailedException";
}

function putSender(client: DynamoDBClient, options: ItemOptions): Sender {
  return async ([e]) => {
    try {
      await client.send(new PutItemCommand(buildPut(e!.event, e!.at, options, Date.now())));
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    return 1;
  };
}

/** TransactWriteItems: refused conditions cancel the rest, which are re-sent (reason None). */
function transactSender(client: DynamoDBClient, options: ItemOptions): Sender {
  return async (batch) => {
    let todo = batch;
    let requests = 0;
    while (todo.length > 0) {
      requests++;
      try {
        await client.send(
          new TransactWriteItemsCommand({
            TransactItems: todo.map((e) => ({ Put: buildPut(e.event, e.at, options, Date.now()) as never })),
          }),
        );
        todo = [];
      } catch (err) {
        const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
        if (reasons === undefined) throw err;
        todo = todo.filter(
          (_, i) => reasons[i]?.Code === "None" || reasons[i]?.Code === "TransactionConflict",
        );
      }
    }
    return requests;
  };
}

/**
 * PartiQL BatchExecuteStatement: INSERT for a key this loop has not written, a guarded UPDATE for one
 * it has (a real sink cannot know that across restarts, so this is generous to PartiQL). UPDATE sets
 * the columns it names and leaves others in place: not the PutItem's replace, a ceiling only.
 */
function partiqlSender(client: DynamoDBClient, options: ItemOptions): Sender {
  const seen = new Set<string>();
  const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;
  const statement = (
    input: PutItemCommandInput,
    insert: boolean,
  ): { Statement: string; Parameters: AttributeValue[] } => {
    const item = input.Item!;
    const names = Object.keys(item).filter((n) => n !== options.keyAttribute);
    if (insert) {
      const all = [options.keyAttribute, ...names];
      return {
        Statement:
          `INSERT INTO ${q(options.table)} VALUE ` +
          `{${all.map((n) => `'${n.replaceAll("'", "''")}': ?`).join(", ")}}`,
        Parameters: all.map((n) => item[n]!),
      };
    }
    const version = input.ExpressionAttributeValues![":version"]!;
    return {
      Statement:
        `UPDATE ${q(options.table)} ${names.map((n) => `SET ${q(n)} = ?`).join(" ")} WHERE ` +
        `${q(options.keyAttribute)} = ? AND ${q("_cdc_version")} < ?`,
      Parameters: [...names.map((n) => item[n]!), item[options.keyAttribute]!, version],
    };
  };
  return async (batch) => {
    let todo = batch.map((e) => ({ e, insert: !seen.has(itemKey(e.event.source, e.event.id)) }));
    let requests = 0;
    while (todo.length > 0) {
      requests++;
      const inputs = todo.map((t) => statement(buildPut(t.e.event, t.e.at, options, Date.now()), t.insert));
      const out = await client.send(new BatchExecuteStatementCommand({ Statements: inputs }));
      const next: typeof todo = [];
      out.Responses?.forEach((r, i) => {
        const t = todo[i]!;
        seen.add(itemKey(t.e.event.source, t.e.event.id));
        if (r.Error?.Code === "DuplicateItem") next.push({ e: t.e, insert: false });
        else if (r.Error !== undefined && r.Error.Code !== "ConditionalCheckFailed")
          throw new Error(`${r.Error.Code}: ${r.Error.Message}`);
      });
      todo = next;
    }
    return requests;
  };
}

/**
 * Runs one point over the stream from its start: `warmup` seconds not counted (JIT, sockets), then
 * `seconds` counted. Records are counted when their request completes; a chunk never repeats a key.
 */
export async function runStorePoint(
  endpoint: string,
  table: string,
  entries: readonly Entry[],
  point: StorePoint,
  seconds: number,
  warmup = 0,
  others: Record<string, number | undefined> = {},
): Promise<StoreResult> {
  const client = createDynamoClient({
    region: "us-east-1",
    endpoint,
    requestTimeoutMs: 10_000,
    maxSockets: point.inFlight,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const options: ItemOptions = {
    table,
    keyAttribute: "pk",
    ttlAttribute: "_cdc_expires_at",
    tombstoneTtlSeconds: 0,
    compression: "none",
  };
  const send =
    point.shape === "put"
      ? putSender(client, options)
      : point.shape === "transact"
        ? transactSender(client, options)
        : partiqlSender(client, options);
  const size = point.shape === "put" ? 1 : point.chunk;
  const windowStart = performance.now() + warmup * 1000;
  const deadline = windowStart + seconds * 1000;
  let next = 0;
  let records = 0;
  let requests = 0;
  let busyMs = 0;
  let lastDone = windowStart;
  const carry: Batch = [];
  const take = (): { batch: Batch; consumed: number } => {
    const batch: Batch = [];
    const keys = new Set<string>();
    let consumed = 0;
    const add = (e: Batch[number]): boolean => {
      const k = itemKey(e.event.source, e.event.id);
      if (keys.has(k)) return false;
      keys.add(k);
      batch.push(e);
      return true;
    };
    for (let i = 0; i < carry.length && batch.length < size;)
      if (add(carry[i]!)) carry.splice(i, 1);
      else i++;
    while (batch.length < size && next < entries.length) {
      const e = entries[next++];
      consumed++; // tombstones count as consumed records, as in every Kafka arm
      if (e === null || e === undefined) continue;
      if (!add(e)) carry.push(e);
    }
    return { batch, consumed };
  };
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const { batch, consumed } = take();
      if (batch.length === 0) return;
      const t = performance.now();
      const sent = await send(batch);
      const done = performance.now();
      if (done < windowStart) continue;
      records += consumed;
      requests += sent;
      busyMs += done - t;
      lastDone = done;
    }
  };
  let meter: ReturnType<typeof cpuMeter> | undefined;
  const startMeter = setTimeout(() => (meter = cpuMeter({ client: process.pid, ...others })), warmup * 1000);
  await Promise.all(Array.from({ length: point.inFlight }, worker));
  clearTimeout(startMeter);
  const cpuMsPerRecord = meter?.stop(records) ?? {};
  client.destroy();
  const elapsed = (lastDone - windowStart) / 1000;
  return {
    ...point,
    records,
    seconds: elapsed,
    rate: records / elapsed,
    requests,
    meanLatencyMs: busyMs / Math.max(1, requests),
    cpuMsPerRecord,
  };
}
