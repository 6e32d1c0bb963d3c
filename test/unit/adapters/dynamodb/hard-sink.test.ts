// The hard-delete write through both DynamoDB sinks (HardDeleteSink in PutItem mode, the batched
// TransactBatchSink), with a client whose store is the in-memory conditional-transaction model
// (test/support/transact-store.ts): the requests the sinks send, and how they read the refusals.
// The same through `cdc-sink run` on the real store is test/integration/app/hard-delete.test.ts.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { HardDeleteSink } from "../../../../src/adapters/dynamodb/hard-sink.ts";
import { TransactBatchSink } from "../../../../src/adapters/dynamodb/transact-sink.ts";
import type { PutRequest } from "../../../../src/core/attribute-value.ts";
import type { TransactItem } from "../../../../src/core/hard-delete.ts";
import { TableMapping } from "../../../../src/core/mapping.ts";
import { decodeKafkaRecord } from "../../../../src/core/record.ts";
import type { ChangeEvent } from "../../../../src/core/types.ts";
import type { Sink } from "../../../../src/engine/ports.ts";
import { pgRecord, type PgChange } from "../../../support/debezium-records.ts";
import { TransactStore } from "../../../support/transact-store.ts";

const ctx = { keyAttribute: "pk", ttlAttribute: "_cdc_expires_at", manyTopics: false };
const mapping = new TableMapping(
  { keyColumns: ["id"], partitionKey: { attribute: "id", type: "N", template: "{id}" }, deletes: "hard" },
  ctx,
);
const options = {
  table: "t",
  tombstoneTable: "t-gone",
  ...ctx,
  tombstoneTtlSeconds: 3600,
  compression: "none" as const,
  mapping,
};

function modelClient(model: TransactStore, sent: string[]): DynamoDBClient {
  const fake = {
    send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      sent.push(command.constructor.name);
      if (command.constructor.name === "PutItemCommand") {
        const put = command.input as unknown as PutRequest;
        const answer = model.table(put.TableName).put(put);
        if (answer.written) return Promise.resolve({ ConsumedCapacity: { CapacityUnits: 1 } });
        const err = Object.assign(new Error("refused"), {
          name: "ConditionalCheckFailedException",
          Item: answer.old,
        });
        return Promise.reject(err);
      }
      const items = command.input["TransactItems"] as TransactItem[];
      const reasons = model.transact(items);
      if (reasons === undefined)
        return Promise.resolve({ ConsumedCapacity: [{ CapacityUnits: 2 * items.length }] });
      return Promise.reject(
        Object.assign(new Error("cancelled"), {
          name: "TransactionCanceledException",
          CancellationReasons: reasons,
        }),
      );
    },
  };
  return fake as unknown as DynamoDBClient;
}

function change(c: PgChange): {
  event: ChangeEvent;
  at: { topic: string; partition: number; offset: string };
} {
  const record = pgRecord(c, Number(c.lsn));
  const d = decodeKafkaRecord(record, { versionSource: "auto", epoch: 0 });
  assert.equal(d.kind, "change");
  return { event: (d as { event: ChangeEvent }).event, at: record };
}

const sinks: [string, (client: DynamoDBClient) => Sink][] = [
  [
    "HardDeleteSink (PutItem mode)",
    (client) => new HardDeleteSink(client, options, { now: () => 1_000_000 }),
  ],
  [
    "TransactBatchSink",
    (client) =>
      new TransactBatchSink(client, options, { maxItems: 50, windowMs: 0 }, { now: () => 1_000_000 }),
  ],
];

for (const [name, make] of sinks) {
  test(`${name}: a delete removes the row and keeps its version; older changes stay refused`, async () => {
    const model = new TransactStore(["id"]);
    const sent: string[] = [];
    const sink = make(modelClient(model, sent));
    const write = async (c: PgChange) => {
      const { event, at } = change(c);
      return sink.write(event, at);
    };
    assert.equal(await write({ op: "c", id: 1, lsn: 100, row: { name: "a" } }), "applied");
    assert.equal(await write({ op: "u", id: 1, lsn: 200, row: { name: "b" } }), "applied");
    assert.equal(await write({ op: "u", id: 1, lsn: 200, row: { name: "b" } }), "duplicate");
    assert.equal(await write({ op: "d", id: 1, lsn: 300 }), "applied");
    assert.equal(model.table("t").items.size, 0, "the row is gone");
    const tomb = [...model.table("t-gone").items.values()][0]!;
    assert.deepEqual(Object.keys(tomb).sort(), [
      "_cdc_expires_at",
      "_cdc_id",
      "_cdc_source",
      "_cdc_version",
      "id",
    ]);
    assert.equal(tomb["_cdc_expires_at"]?.N, String(1000 + 3600), "the tombstone carries the TTL");
    assert.equal(await write({ op: "u", id: 1, lsn: 200, row: { name: "b" } }), "stale");
    assert.equal(await write({ op: "d", id: 1, lsn: 300 }), "duplicate");
    assert.equal(await write({ op: "c", id: 1, lsn: 150, row: { name: "old" } }), "stale");
    assert.equal(model.table("t").items.size, 0, "still gone");
    assert.equal(await write({ op: "c", id: 1, lsn: 400, row: { name: "back" } }), "applied");
    assert.equal([...model.table("t").items.values()][0]!["name"]?.S, "back");
    assert.equal(await write({ op: "d", id: 1, lsn: 300 }), "stale", "a delete older than the live row");
    assert.equal(model.table("t").items.size, 1);
    if (name.startsWith("HardDeleteSink"))
      // An update of a live row is one PutItem; an insert (no row) falls back to the transaction.
      assert.deepEqual(sent.slice(0, 3), ["PutItemCommand", "TransactWriteItemsCommand", "PutItemCommand"]);
    else assert.ok(sent.every((c) => c === "TransactWriteItemsCommand"));
  });
}

test("TransactBatchSink: several keys' hard writes in one transaction, each with its own outcome", async () => {
  const model = new TransactStore(["id"]);
  const sent: string[] = [];
  const sink = new TransactBatchSink(modelClient(model, sent), options, { maxItems: 50, windowMs: 0 });
  const write = (c: PgChange) => {
    const { event, at } = change(c);
    return sink.write(event, at);
  };
  await Promise.all([1, 2, 3].map((id) => write({ op: "c", id, lsn: 100 + id, row: { n: id } })));
  await write({ op: "d", id: 2, lsn: 300 });
  sent.length = 0;
  const outcomes = await Promise.all([
    write({ op: "u", id: 1, lsn: 200, row: { n: 1 } }),
    write({ op: "u", id: 2, lsn: 200, row: { n: 2 } }),
    write({ op: "d", id: 3, lsn: 300 }),
  ]);
  assert.deepEqual(outcomes, ["applied", "stale", "applied"]);
  assert.deepEqual(
    [...model.table("t").items.values()].map((i) => i["id"]?.N),
    ["1"],
  );
  assert.equal(sent.length, 2, "one cancelled transaction of three, then the two others again");
});

/** A client that answers each request with the next scripted reply (rejected when it is an Error). */
function scriptedClient(replies: (object | Error)[], sent: string[]): DynamoDBClient {
  const send = (command: { constructor: { name: string } }) => {
    sent.push(command.constructor.name);
    const reply = replies.shift()!;
    return reply instanceof Error ? Promise.reject(reply) : Promise.resolve(reply);
  };
  return { send } as unknown as DynamoDBClient;
}

const refused = (fields: object) => Object.assign(new Error("refused"), fields);

test("HardDeleteSink (PutItem mode) meters each request it sends, the reply's units or the estimate", async () => {
  const update = change({ op: "u", id: 1, lsn: 200, row: { name: "b" } });
  const del = change({ op: "d", id: 1, lsn: 300 });
  // The stored row holds this very delete's version (ALL_OLD): a duplicate.
  const stored = {
    _cdc_source: { S: del.event.source },
    _cdc_id: { S: del.event.id },
    _cdc_version: { S: del.event.version },
  };
  const metered: number[] = [];
  const meter = (u: number) => void metered.push(u);
  const sent: string[] = [];
  const sink = new HardDeleteSink(
    scriptedClient(
      [
        { ConsumedCapacity: { CapacityUnits: 1 } },
        refused({ name: "ConditionalCheckFailedException" }),
        { ConsumedCapacity: [{ CapacityUnits: 2 }, { CapacityUnits: 3 }] },
        refused({
          name: "TransactionCanceledException",
          CancellationReasons: [{ Code: "ConditionalCheckFailed", Item: stored }, {}],
        }),
      ],
      sent,
    ),
    options,
    { now: () => 1_000_000 },
  );
  assert.equal(await sink.write(update.event, update.at, meter), "applied");
  assert.equal(await sink.write(update.event, update.at, meter), "applied", "absent row: the transaction");
  assert.equal(await sink.write(del.event, del.at, meter), "duplicate");
  assert.deepEqual(sent, [
    "PutItemCommand",
    "PutItemCommand",
    "TransactWriteItemsCommand",
    "TransactWriteItemsCommand",
  ]);
  // The refused put and the cancelled transaction say no units: the item's estimate, 1 and 2 + 2.
  assert.deepEqual(metered, [1, 1, 5, 4]);
});

test("HardDeleteSink (PutItem mode) classifies the store's errors and a cancellation's other reasons", async () => {
  const sink = (reply: Error) => new HardDeleteSink(scriptedClient([reply], []), options, { now: () => 0 });
  const update = change({ op: "u", id: 1, lsn: 200, row: { name: "b" } });
  const del = change({ op: "d", id: 1, lsn: 300 });
  await assert.rejects(sink(refused({ name: "ThrottlingException" })).write(update.event, update.at), {
    name: "TransientError",
    code: "dynamodb_ThrottlingException",
  });
  await assert.rejects(sink(refused({ name: "ResourceNotFoundException" })).write(del.event, del.at), {
    name: "FatalError",
    code: "dynamodb_ResourceNotFoundException",
  });
  const conflict = refused({
    name: "TransactionCanceledException",
    CancellationReasons: [{ Code: "TransactionConflict" }, { Code: "None" }],
  });
  await assert.rejects(sink(conflict).write(del.event, del.at), {
    name: "TransientError",
    code: "dynamodb_TransactionConflictException",
  });
  const short = refused({ name: "TransactionCanceledException", CancellationReasons: [{ Code: "None" }] });
  await assert.rejects(sink(short).write(del.event, del.at), {
    name: "FatalError",
    code: "dynamodb_unexpected",
  });
});
