// TransactBatchSink against the stack's DynamoDB (dynoxide): every write must end exactly as the PutItem
// sink ends it
// (outcome or error class, and the item left in the table), whatever else shares its transaction.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { decodeKafkaRecord } from "../../../../src/core/record.ts";
import type { ChangeEvent, VersionSource } from "../../../../src/core/types.ts";
import { PoisonError, TransientError } from "../../../../src/core/errors.ts";
import { TransactBatchSink } from "../../../../src/adapters/dynamodb/transact-sink.ts";
import { DynamoDbSink } from "../../../../src/adapters/dynamodb/put-sink.ts";
import type { Sink } from "../../../../src/engine/ports.ts";
import { createDynamoClient } from "../../../../src/adapters/dynamodb/client.ts";
import type { ItemOptions, Position } from "../../../../src/core/item.ts";
import { pgRecord } from "../../../support/debezium-records.ts";
import { createTable, scanTable, stable } from "../../../support/dynamo.ts";
import { startFaultProxy, type Fault } from "../../../support/dynamo-fault-proxy.ts";
import { uniqueName } from "../../../support/names.ts";
import { stackEndpoints, type Endpoints } from "../../../support/stack.ts";

let endpoints: Endpoints;
const clients: DynamoDBClient[] = [];
before(() => {
  endpoints = stackEndpoints();
});
after(() => {
  for (const c of clients) c.destroy();
});

// Generous: these tests compare outcomes, and a loaded machine must not turn them into timeouts.
function client(endpoint = endpoints.dynamodbEndpoint, requestTimeoutMs = 30_000): DynamoDBClient {
  const c = createDynamoClient({
    region: "us-east-1",
    endpoint,
    requestTimeoutMs,
    maxSockets: 16,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  clients.push(c);
  return c;
}

const NOW = () => 1_700_000_000_000; // same _cdc_written_at in both tables, so items compare whole

function event(
  id: number,
  lsn: number,
  versionSource: VersionSource = "auto",
  op: "c" | "u" | "d" = "u",
): { event: ChangeEvent; at: Position } {
  const record = pgRecord({ op, id, lsn, row: { name: `n${id}@${lsn}` } }, lsn);
  const d = decodeKafkaRecord(record, { versionSource, epoch: 0 });
  assert.equal(d.kind, "change");
  return { event: (d as { event: ChangeEvent }).event, at: record };
}

async function tables(): Promise<{ put: ItemOptions; batch: ItemOptions }> {
  const [a, b] = [uniqueName("put"), uniqueName("batch")];
  await Promise.all([createTable(endpoints.dynamodbEndpoint, a), createTable(endpoints.dynamodbEndpoint, b)]);
  const options = (table: string): ItemOptions => ({
    table,
    keyAttribute: "pk",
    ttlAttribute: "_cdc_expires_at",
    tombstoneTtlSeconds: 0,
    compression: "none",
  });
  return { put: options(a), batch: options(b) };
}

/** What a write ended as: its outcome, or its error's class and code. */
async function settle(write: Promise<string>): Promise<string> {
  try {
    return await write;
  } catch (err) {
    if (err instanceof PoisonError || err instanceof TransientError) return `${err.errorClass}:${err.code}`;
    throw err;
  }
}

/** Runs the same rounds through both sinks (each round's writes concurrently) and compares. */
async function compare(
  rounds: { event: ChangeEvent; at: Position }[][],
  maxItems = 50,
  batchEndpoint?: string,
): Promise<string[][]> {
  const t = await tables();
  const put = new DynamoDbSink(client(), t.put, { now: NOW });
  const batch = new TransactBatchSink(
    client(batchEndpoint),
    t.batch,
    { maxItems, windowMs: 0 },
    { now: NOW },
  );
  const results: string[][] = [];
  for (const round of rounds) {
    // Writes of one key one after the other, as the processor makes them; other keys concurrently.
    const chains = new Map<string, Promise<unknown>>();
    const viaPut = await Promise.all(
      round.map((w) => {
        const next = (chains.get(w.event.id) ?? Promise.resolve()).then(() =>
          settle(put.write(w.event, w.at)),
        );
        chains.set(w.event.id, next);
        return next;
      }),
    );
    const viaBatch = await Promise.all(round.map((w) => settle(batch.write(w.event, w.at))));
    assert.deepEqual(viaBatch, viaPut, "each write ends as it does with the PutItem sink");
    results.push(viaBatch);
  }
  const [a, b] = await Promise.all([
    scanTable(endpoints.dynamodbEndpoint, t.put.table),
    scanTable(endpoints.dynamodbEndpoint, t.batch.table),
  ]);
  assert.deepEqual(
    [...b.entries()].map(([k, v]) => [k, stable(v)]),
    [...a.entries()].map(([k, v]) => [k, stable(v)]),
    "both tables hold the same items",
  );
  return results;
}

test(
  "new key, newer version, equal version and older version: applied, applied, duplicate, " + "stale",
  async () => {
    const results = await compare([[event(1, 100)], [event(1, 200)], [event(1, 200)], [event(1, 150)]]);
    assert.deepEqual(results, [["applied"], ["applied"], ["duplicate"], ["stale"]]);
  },
);

test(
  "a chunk where some conditions are refused: the others still apply, each write gets its own " + "outcome",
  async () => {
    const seed = Array.from({ length: 20 }, (_, i) => event(i, 500));
    const mixed = Array.from({ length: 40 }, (_, i) =>
      i < 20 ? event(i, i % 3 === 0 ? 600 : i % 3 === 1 ? 500 : 400) : event(i, 100),
    );
    const operations: string[] = [];
    const counter = await startFaultProxy(
      endpoints.dynamodbEndpoint,
      (operation) => void operations.push(operation),
    );
    try {
      const [, outcomes] = await compare([seed, mixed], 50, counter.endpoint);
      const expected = mixed.map((_, i) =>
        i >= 20 ? "applied" : i % 3 === 0 ? "applied" : i % 3 === 1 ? "duplicate" : "stale",
      );
      assert.deepEqual(outcomes, expected);
    } finally {
      await counter.close();
    }
    // The seed round, then the mixed chunk: cancelled by its refused conditions, and its 27 other
    // items (reason None) re-sent together in one more transaction. No single PutItem anywhere.
    assert.deepEqual(operations, ["TransactWriteItems", "TransactWriteItems", "TransactWriteItems"]);
  },
);

test("a stored version of another scheme is poison for that write alone", async () => {
  const seed = [event(1, 100, "kafka-offset"), event(2, 100)];
  const outcomes = await compare([seed, [event(1, 200), event(2, 200), event(3, 200)]]);
  assert.deepEqual(outcomes[1], ["poison:version_scheme_mismatch", "applied", "applied"]);
});

test("deletes are versioned tombstones, guarded as in the PutItem sink", async () => {
  const outcomes = await compare([
    [event(1, 100, "auto", "c")],
    [event(1, 200, "auto", "d"), event(2, 50, "auto", "d")],
    [event(1, 150)],
  ]);
  assert.deepEqual(outcomes, [["applied"], ["applied", "applied"], ["stale"]]);
});

test(
  "more concurrent writes than a transaction holds, and two versions of one key, all end " + "right",
  async () => {
    const burst = [...Array.from({ length: 120 }, (_, i) => event(i, 100)), event(5, 200), event(5, 200)];
    const [outcomes] = await compare([burst], 50);
    assert.deepEqual(outcomes!.slice(0, 120), Array(120).fill("applied"));
    // The later writes of key 5 wait for the transaction holding the earlier one.
    assert.deepEqual(outcomes!.slice(120), ["applied", "duplicate"]);
  },
);

async function withFaults(
  choose: (operation: string, n: number) => Fault | undefined,
  work: (sink: Sink, table: string) => Promise<void>,
  requestTimeoutMs = 30_000,
): Promise<void> {
  const t = await tables();
  let n = 0;
  const proxy = await startFaultProxy(endpoints.dynamodbEndpoint, (operation) =>
    choose(operation, operation === "TransactWriteItems" ? ++n : n),
  );
  try {
    await work(
      new TransactBatchSink(client(proxy.endpoint, requestTimeoutMs), t.batch, { maxItems: 50, windowMs: 0 }),
      t.batch.table,
    );
  } finally {
    await proxy.close();
  }
}

test(
  "throttling, 500, 503 and transaction conflicts of the request are transient for every write " + "in it",
  async () => {
    for (const [fault, code] of [
      ["throttle", "dynamodb_ThrottlingException"],
      ["throughput", "dynamodb_ProvisionedThroughputExceededException"],
      ["500", "dynamodb_InternalServerError"],
      ["503", "dynamodb_ServiceUnavailableException"],
      ["conflict", "dynamodb_TransactionConflictException"],
    ] as const) {
      await withFaults(
        (_op, n) => (n === 1 ? fault : undefined),
        async (sink) => {
          const writes = [event(1, 100), event(2, 100)];
          assert.deepEqual(
            await Promise.all(writes.map((w) => settle(sink.write(w.event, w.at)))),
            [`transient:${code}`, `transient:${code}`],
            fault,
          );
          // The retry the processor makes goes through.
          assert.deepEqual(
            await Promise.all(writes.map((w) => settle(sink.write(w.event, w.at)))),
            ["applied", "applied"],
            fault,
          );
        },
      );
    }
  },
);

test("a lost reply is transient; the retry finds the write done and says duplicate", async () => {
  await withFaults(
    (_op, n) => (n === 1 ? "drop-reply" : undefined),
    async (sink, table) => {
      const w = event(7, 100);
      assert.match(await settle(sink.write(w.event, w.at)), /^transient:/);
      assert.equal((await scanTable(endpoints.dynamodbEndpoint, table)).size, 1, "the store applied it");
      assert.equal(await sink.write(w.event, w.at), "duplicate");
    },
    1000,
  );
});

/** A client whose TransactWriteItems answers are scripted; PutItems (the fallback) are recorded. */
