// The start-up checks of a table (src/adapters/dynamodb/table.ts) against DescribeTable and
// DescribeTimeToLive answers: one message per key-schema difference, the default layout's messages
// unchanged, and TTL enabled on another attribute refused. The same checks against dynoxide run
// in test/e2e/mapping.test.ts.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { FatalError } from "../../../../src/core/errors.ts";
import { checkTable } from "../../../../src/adapters/dynamodb/table.ts";

type Key = { name: string; type: string; kind: "HASH" | "RANGE" };

function client(keys: Key[], ttl?: { status: string; attribute: string }): DynamoDBClient {
  return {
    send: (command: { constructor: { name: string } }) => {
      if (command.constructor.name === "DescribeTableCommand")
        return Promise.resolve({
          Table: {
            TableStatus: "ACTIVE",
            KeySchema: keys.map((k) => ({ AttributeName: k.name, KeyType: k.kind })),
            AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
          },
        });
      return Promise.resolve({
        TimeToLiveDescription:
          ttl === undefined
            ? { TimeToLiveStatus: "DISABLED" }
            : { TimeToLiveStatus: ttl.status, AttributeName: ttl.attribute },
      });
    },
  } as unknown as DynamoDBClient;
}

async function failure(p: Promise<void>): Promise<FatalError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof FatalError, String(err));
    return err;
  }
  assert.fail("the check passed");
}

const pk = (name = "pk", type = "S"): Key => ({ name, type, kind: "HASH" });
const sk = (name = "SK", type = "S"): Key => ({ name, type, kind: "RANGE" });
const single = { partition: { attribute: "PK", type: "S" }, sort: { attribute: "SK", type: "S" } } as const;

test("the default layout: the same checks and messages as before", async () => {
  await checkTable(client([pk()]), "t", "pk");
  const e = await failure(checkTable(client([pk("id", "N"), sk()]), "t", "pk"));
  assert.equal(e.code, "key_schema_mismatch");
  assert.equal(e.exitCode, 3);
  assert.equal(
    e.message,
    "table t does not match the configuration: partition key is id, expected pk (DYNAMODB_KEY_ATTRIBUTE); " +
      "partition key type is N, expected S (string); table has a sort key (SK); the sink needs a partition key only",
  );
});

test("a mapping's keys: one message per mismatch, naming the attribute", async () => {
  await checkTable(client([pk("PK"), sk()]), "app", single);
  await checkTable(client([pk("order_id", "N")]), "orders", {
    partition: { attribute: "order_id", type: "N" },
  });
  const e = await failure(checkTable(client([pk("PK", "N"), sk("sk", "B")]), "app", single));
  assert.equal(
    e.message,
    "table app does not match the configuration: partition key PK type is N, the mapping's S (string); " +
      "sort key is sk, the mapping's SK; sort key sk type is B, the mapping's S (string)",
  );
  const noSort = await failure(checkTable(client([pk("PK")]), "app", single));
  assert.match(noSort.message, /table has no sort key; the mapping's is SK$/);
  const extra = await failure(
    checkTable(client([pk("order_id", "N"), sk()]), "o", { partition: { attribute: "order_id", type: "N" } }),
  );
  assert.match(extra.message, /table has a sort key \(SK\); the mapping has none$/);
  const name = await failure(
    checkTable(client([pk("id", "N")]), "o", { partition: { attribute: "order_id", type: "N" } }),
  );
  assert.match(name.message, /partition key is id, the mapping's order_id$/);
});

test("TTL enabled on another attribute than TTL_ATTRIBUTE is refused; disabled or the same is fine", async () => {
  await checkTable(client([pk()]), "t", "pk", "_cdc_expires_at");
  await checkTable(
    client([pk()], { status: "ENABLED", attribute: "_cdc_expires_at" }),
    "t",
    "pk",
    "_cdc_expires_at",
  );
  const e = await failure(
    checkTable(client([pk()], { status: "ENABLING", attribute: "expires_at" }), "t", "pk", "_cdc_expires_at"),
  );
  assert.equal(e.code, "ttl_mismatch");
  assert.equal(e.exitCode, 3);
  assert.match(
    e.message,
    /^table t has TTL enabling on expires_at, not on _cdc_expires_at \(TTL_ATTRIBUTE\)/,
  );
});
