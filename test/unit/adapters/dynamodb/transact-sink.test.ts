// TransactBatchSink's reading of DynamoDB's answers, with a scripted client: the request-level and
// per-item errors that the store cannot be made to give on demand. The same sink against the real
// store is in test/integration/adapters/dynamodb/transact-sink.test.ts.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { decodeKafkaRecord } from "../../../../src/core/record.ts";
import type { ChangeEvent } from "../../../../src/core/types.ts";
import { PoisonError, TransientError } from "../../../../src/core/errors.ts";
import { TransactBatchSink } from "../../../../src/adapters/dynamodb/transact-sink.ts";
import type { Position } from "../../../../src/core/item.ts";
import { pgRecord } from "../../../support/debezium-records.ts";

function event(id: number, lsn: number): { event: ChangeEvent; at: Position } {
  const record = pgRecord({ op: "u", id, lsn, row: { name: `n${id}@${lsn}` } }, lsn);
  const d = decodeKafkaRecord(record, { versionSource: "auto", epoch: 0 });
  assert.equal(d.kind, "change");
  return { event: (d as { event: ChangeEvent }).event, at: record };
}

async function settle(write: Promise<string>): Promise<string> {
  try {
    return await write;
  } catch (err) {
    if (err instanceof PoisonError || err instanceof TransientError) return `${err.errorClass}:${err.code}`;
    throw err;
  }
}

function scripted(
  answers: ((items: number) => Error)[],
  putFails: (pk: string) => Error | undefined = () => undefined,
): { client: DynamoDBClient; puts: string[] } {
  const puts: string[] = [];
  const fake = {
    send(command: {
      constructor: { name: string };
      input: { TransactItems?: unknown[]; Item?: { pk?: { S?: string } } };
    }) {
      if (command.constructor.name === "PutItemCommand") {
        const pk = command.input.Item?.pk?.S ?? "";
        puts.push(pk);
        const failure = putFails(pk);
        return failure === undefined ? Promise.resolve({}) : Promise.reject(failure);
      }
      const answer = answers.shift();
      if (answer === undefined) return Promise.resolve({});
      return Promise.reject(answer(command.input.TransactItems?.length ?? 0));
    },
  };
  return { client: fake as unknown as DynamoDBClient, puts };
}

const cancelled = (codes: string[]) => () =>
  Object.assign(new Error("Transaction cancelled"), {
    name: "TransactionCanceledException",
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

test(
  "per-item cancellation reasons: conflict and throttling are transient, a validation error is " +
    "poison, None is re-sent",
  async () => {
    const { client: fake } = scripted([
      cancelled([
        "TransactionConflict",
        "ThrottlingError",
        "ValidationError",
        "None",
        "ProvisionedThroughputExceeded",
      ]),
    ]);
    const sink = new TransactBatchSink(
      fake,
      {
        table: "t",
        keyAttribute: "pk",
        ttlAttribute: "_cdc_expires_at",
        tombstoneTtlSeconds: 0,
        compression: "none",
      },
      { maxItems: 50, windowMs: 0 },
    );
    const writes = [1, 2, 3, 4, 5].map((id) => event(id, 100));
    assert.deepEqual(await Promise.all(writes.map((w) => settle(sink.write(w.event, w.at)))), [
      "transient:dynamodb_TransactionConflictException",
      "transient:dynamodb_ThrottlingException",
      "poison:dynamodb_ValidationException",
      "applied",
      "transient:dynamodb_ProvisionedThroughputExceededException",
    ]);
  },
);

test(
  "a ValidationException of the whole request sends each item alone, so only the bad record is " + "poison",
  async () => {
    const invalid = () => Object.assign(new Error("invalid item"), { name: "ValidationException" });
    // The transaction is refused as a whole; alone, only item 2 is refused again.
    const { client: fake, puts } = scripted([invalid], (pk) => (pk.endsWith(":[2]") ? invalid() : undefined));
    const sink = new TransactBatchSink(
      fake,
      {
        table: "t",
        keyAttribute: "pk",
        ttlAttribute: "_cdc_expires_at",
        tombstoneTtlSeconds: 0,
        compression: "none",
      },
      { maxItems: 50, windowMs: 0 },
    );
    const writes = [1, 2, 3].map((id) => event(id, 100));
    assert.deepEqual(await Promise.all(writes.map((w) => settle(sink.write(w.event, w.at)))), [
      "applied",
      "poison:dynamodb_ValidationException",
      "applied",
    ]);
    assert.equal(puts.length, 3, "each item was sent alone once");
  },
);

test("a record that cannot become an item fails alone; its chunk is still sent", async () => {
  const { client: fake } = scripted([]);
  const sink = new TransactBatchSink(
    fake,
    {
      table: "t",
      keyAttribute: "pk",
      ttlAttribute: "_cdc_expires_at",
      tombstoneTtlSeconds: 0,
      compression: "none",
    },
    { maxItems: 50, windowMs: 0 },
  );
  const big = decodeKafkaRecord(
    pgRecord({ op: "u", id: 9, lsn: 100, row: { blob: "x".repeat(410 * 1024) } }, 100),
    { versionSource: "auto", epoch: 0 },
  );
  const ok = event(1, 100);
  assert.deepEqual(
    await Promise.all([
      settle(sink.write((big as { event: ChangeEvent }).event, ok.at)),
      settle(sink.write(ok.event, ok.at)),
    ]),
    ["poison:item_too_large", "applied"],
  );
});
