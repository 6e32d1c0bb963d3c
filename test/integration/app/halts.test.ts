// Halts that hold mid-run (issue 21): through `cdc-sink run` on the real broker and store, a sink
// that has caught up meets, while running, a role whose policy no longer allows the write (a proxy
// answering as IAM does: HTTP 400, com.amazon.coral.service#AccessDeniedException), its table
// deleted, and its table re-created with another key schema. Each time it must exit 3 with a
// message naming the table and the permission or attribute, commit nothing of the records it could
// not write, and dead-letter none of them (a deployment error is not a bad record).

import assert from "node:assert/strict";
import { test } from "node:test";
import { CreateTableCommand, DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { createTopic } from "../../support/kafka.ts";
import { uniqueName } from "../../support/names.ts";
import { waitFor } from "../../support/wait.ts";
import { createTable, dynamoClient } from "../../support/dynamo.ts";
import { caughtUp, groupProgress } from "../../support/kafka-progress.ts";
import { spawnSink } from "../../support/sink-process.ts";
import { startFaultProxy, WRITES } from "../../support/dynamo-fault-proxy.ts";
import { withAdmin } from "../../support/kafka.ts";
import { createWave, sinkSuite } from "../../support/sink-suite.ts";

const suite = sinkSuite();

const wave = (from: number, to: number) => createWave(from, to, true);

type Fatal = { level: string; code?: string; msg: string };

/** Runs a sink until it caught up, breaks the world with `fault`, produces more and awaits the exit. */
async function haltMidRun(
  fault: (table: string) => Promise<void>,
  endpoint?: string,
): Promise<{ code: number | null; fatal: Fatal | undefined; table: string; ms: number; output: string }> {
  const topic = uniqueName("halt");
  const dlq = `${topic}-dlq`;
  const table = uniqueName("halt");
  const group = uniqueName("g");
  await createTopic(suite.endpoints.kafkaBrokers, topic, 3);
  await createTopic(suite.endpoints.kafkaBrokers, dlq, 1);
  await createTable(suite.endpoints.dynamodbEndpoint, table);
  await suite.producer.send({ topic, acks: -1, messages: wave(1, 30) });
  const sink = spawnSink(suite.endpoints, {
    KAFKA_TOPICS: topic,
    KAFKA_GROUP_ID: group,
    DYNAMODB_TABLE: table,
    DLQ_TOPIC: dlq,
    ...(endpoint === undefined ? {} : { DYNAMODB_ENDPOINT: endpoint }),
  });
  suite.sinks.push(sink);
  await waitFor(() => caughtUp(suite.endpoints.kafkaBrokers, group, topic), {
    timeoutMs: 120_000,
    message: `not caught up:\n${sink.output().slice(-3000)}`,
  });
  const before = await groupProgress(suite.endpoints.kafkaBrokers, group, topic);
  await fault(table);
  const t0 = Date.now();
  await suite.producer.send({ topic, acks: -1, messages: wave(31, 60) });
  const exit = await sink.exited;
  const ms = Date.now() - t0;
  // Nothing of the second wave was written, so nothing of it may be committed.
  const afterExit = await groupProgress(suite.endpoints.kafkaBrokers, group, topic);
  for (const [p, [committed]] of before)
    assert.equal(afterExit.get(p)?.[0], committed, `partition ${p}: committed past an unwritten record`);
  assert.ok(
    [...afterExit.values()].some(([c, high]) => c < high),
    "the second wave is uncommitted",
  );
  const dead = await withAdmin(suite.endpoints.kafkaBrokers, (a) => a.fetchTopicOffsets(dlq));
  assert.equal(
    dead.reduce((n, p) => n + Number(p.high), 0),
    0,
    "nothing dead-lettered",
  );
  const fatal = sink
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Fatal)
    .find((l) => l.level === "fatal");
  return { code: exit.code, fatal, table, ms, output: sink.output() };
}

test("AccessDenied while running (the role's policy removed): exit 3, naming the table and dynamodb:PutItem", async () => {
  let denied = false;
  const proxy = await startFaultProxy(suite.endpoints.dynamodbEndpoint, (op) =>
    denied && WRITES.has(op) ? "access-denied" : undefined,
  );
  try {
    const r = await haltMidRun(() => {
      denied = true;
      return Promise.resolve();
    }, proxy.endpoint);
    assert.equal(r.code, 3, r.output.slice(-3000));
    assert.equal(r.fatal?.code, "dynamodb_AccessDeniedException");
    assert.match(r.fatal.msg, new RegExp(`table ${r.table}: the sink's role needs dynamodb:PutItem`));
    assert.ok(proxy.counts["access-denied"] > 0);
    process.stderr.write(`halt access-denied: exit ${r.code} after ${r.ms} ms: ${r.fatal.msg}\n`);
  } finally {
    await proxy.close();
  }
});

test("the table deleted while running: exit 3, naming the table", async () => {
  const client = dynamoClient(suite.endpoints.dynamodbEndpoint);
  try {
    const r = await haltMidRun((table) =>
      client.send(new DeleteTableCommand({ TableName: table })).then(() => undefined),
    );
    assert.equal(r.code, 3, r.output.slice(-3000));
    assert.equal(r.fatal?.code, "dynamodb_ResourceNotFoundException");
    assert.match(r.fatal.msg, new RegExp(`table ${r.table} does not exist`));
    process.stderr.write(`halt table-deleted: exit ${r.code} after ${r.ms} ms: ${r.fatal.msg}\n`);
  } finally {
    client.destroy();
  }
});

test("the key schema changed while running: exit 3 (key_schema_mismatch), naming the table and the key attribute", async () => {
  const client = dynamoClient(suite.endpoints.dynamodbEndpoint);
  try {
    const r = await haltMidRun(async (table) => {
      await client.send(new DeleteTableCommand({ TableName: table }));
      await client.send(
        new CreateTableCommand({
          TableName: table,
          BillingMode: "PAY_PER_REQUEST",
          KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
          AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        }),
      );
    });
    assert.equal(r.code, 3, r.output.slice(-3000));
    assert.equal(r.fatal?.code, "key_schema_mismatch");
    assert.match(
      r.fatal.msg,
      new RegExp(`table ${r.table} does not match .*partition key is id, expected pk`),
    );
    process.stderr.write(`halt key-schema: exit ${r.code} after ${r.ms} ms: ${r.fatal.msg}\n`);
  } finally {
    client.destroy();
  }
});
