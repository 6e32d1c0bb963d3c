// Write units as the DynamoDB sinks report them to the capacity meter (adapters/dynamodb/capacity.ts):
// the reply's ConsumedCapacity when it has one, else the item's estimate; through the auto sink too.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { consumedUnits, estimatedUnits } from "../../../../src/adapters/dynamodb/capacity.ts";
import { createSink } from "../../../../src/adapters/dynamodb/write-mode.ts";
import { decodeKafkaRecord } from "../../../../src/core/record.ts";
import type { ChangeEvent } from "../../../../src/core/types.ts";
import { pgRecord } from "../../../support/debezium-records.ts";

const OPTIONS = {
  table: "t",
  keyAttribute: "pk",
  ttlAttribute: "_cdc_expires_at",
  tombstoneTtlSeconds: 0,
  compression: "none" as const,
};

function change(bytes: number) {
  const record = pgRecord({ op: "c", id: 1, lsn: 5, row: { note: "x".repeat(bytes) } }, 5);
  const d = decodeKafkaRecord(record, { versionSource: "auto", epoch: 0 });
  assert.equal(d.kind, "change");
  return { event: (d as { event: ChangeEvent }).event, at: record };
}

test("consumedUnits reads one ConsumedCapacity or a transaction's list; none is undefined", () => {
  assert.equal(consumedUnits({ ConsumedCapacity: { CapacityUnits: 3 } }), 3);
  assert.equal(consumedUnits({ ConsumedCapacity: [{ CapacityUnits: 2 }, { CapacityUnits: 4 }] }), 6);
  assert.equal(consumedUnits({}), undefined);
  assert.equal(consumedUnits({ ConsumedCapacity: {} }), undefined);
  assert.equal(consumedUnits(undefined), undefined);
});

test("estimatedUnits: 1 per started KB of the item, 2× in a transaction", () => {
  assert.equal(estimatedUnits({ TableName: "t", Item: { pk: { S: "a" } } }, false), 1);
  assert.equal(estimatedUnits({ TableName: "t", Item: { pk: { S: "a".repeat(3000) } } }, false), 3);
  assert.equal(estimatedUnits({ TableName: "t", Item: { pk: { S: "a".repeat(3000) } } }, true), 6);
});

test("the auto sink on AWS's endpoint meters the reply's units, or the estimate of a refused put", async () => {
  const { event, at } = change(2500);
  const inputs: Record<string, unknown>[] = [];
  let refuse = false;
  const client = {
    config: {},
    send(command: { input: Record<string, unknown> }) {
      inputs.push(command.input);
      if (!refuse) return Promise.resolve({ ConsumedCapacity: { TableName: "t", CapacityUnits: 7 } });
      return Promise.reject(
        Object.assign(new Error("refused"), {
          name: "ConditionalCheckFailedException",
          Item: { _cdc_version: { S: event.version } },
        }),
      );
    },
  } as unknown as DynamoDBClient;
  const sink = createSink(client, OPTIONS, { mode: "auto", batch: { maxItems: 10, windowMs: 0 } });
  assert.equal(sink.estimateUnits?.(event, at), 3);
  const metered: number[] = [];
  assert.equal(await sink.write(event, at, (u) => metered.push(u)), "applied");
  assert.equal(inputs[0]!["ReturnConsumedCapacity"], "TOTAL");
  refuse = true;
  assert.equal(await sink.write(event, at, (u) => metered.push(u)), "duplicate");
  assert.deepEqual(metered, [7, 3]);
});
