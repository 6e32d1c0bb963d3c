// The client matrix reaches the sink: the client that consumed is the one the runner chose
// (`npm test -- --kafka-client confluent [--group-protocol consumer]`; kafkajs and classic by
// default), and so is the DynamoDB write client (`DYNAMODB_WRITE_CLIENT=direct npm test -- …`; the
// configuration's default otherwise); it consumes a keyed stream over three partitions to a clean,
// caught-up table.

import assert from "node:assert/strict";
import { test } from "node:test";
import { ENV_SPEC } from "../../../../src/config/env-spec.ts";
import { finished } from "../../../../src/engine/stats.ts";
import { createTable, scanTable } from "../../../support/dynamo.ts";
import { createTopic } from "../../../support/kafka.ts";
import { caughtUp, connectedProducer } from "../../../support/kafka-progress.ts";
import { assertClean, judge } from "../../../support/ledger.ts";
import { uniqueName } from "../../../support/names.ts";
import { clientMatrixEnv, startInProcess } from "../../../support/sink-process.ts";
import { stackEndpoints } from "../../../support/stack.ts";
import { waitFor } from "../../../support/wait.ts";
import { makeWorkload, produce } from "../../../support/workload.ts";

test("the sink consumes with the client and group protocol the test runner chose", async () => {
  const endpoints = stackEndpoints();
  const chosen = clientMatrixEnv(process.env);
  const topic = uniqueName("client");
  const table = uniqueName("tbl");
  const group = uniqueName("g");
  await createTopic(endpoints.kafkaBrokers, topic, 3);
  await createTable(endpoints.dynamodbEndpoint, table);
  const workload = makeWorkload({ keys: 40, changesPerKey: 4, replays: 20, seed: 20 });
  const producer = await connectedProducer(endpoints.kafkaBrokers);
  await produce(producer, topic, workload.messages);
  await producer.disconnect();
  const sink = await startInProcess(endpoints, {
    KAFKA_TOPICS: topic,
    KAFKA_GROUP_ID: group,
    DYNAMODB_TABLE: table,
    LOG_LEVEL: "info",
  });
  try {
    await waitFor(
      async () =>
        sink.stats.total.consumed >= workload.messages.length &&
        finished(sink.stats.total) === sink.stats.total.consumed &&
        (await caughtUp(endpoints.kafkaBrokers, group, topic)),
      { timeoutMs: 120_000, intervalMs: 250, message: `not caught up: ${JSON.stringify(sink.stats.total)}` },
    );
  } finally {
    assert.equal(await sink.stop("test done"), 0, sink.logs());
  }
  const consuming = sink
    .logs()
    .split("\n")
    .map((line) => (line.startsWith("{") ? (JSON.parse(line) as Record<string, unknown>) : {}))
    .find((entry) => entry["msg"] === "consuming");
  assert.equal(consuming?.["kafkaClient"], chosen["KAFKA_CLIENT"] ?? "kafkajs", sink.logs().slice(-2000));
  assert.equal(consuming?.["groupProtocol"], chosen["KAFKA_GROUP_PROTOCOL"] ?? "classic");
  const writeClient = process.env["DYNAMODB_WRITE_CLIENT"] || defaultOf("DYNAMODB_WRITE_CLIENT");
  assert.equal(consuming?.["writeClient"], writeClient);
  assert.equal(sink.stats.total.consumed, workload.messages.length);
  assertClean(judge(await scanTable(endpoints.dynamodbEndpoint, table), workload));
});

function defaultOf(name: string): string | undefined {
  return (ENV_SPEC as readonly { name: string; default?: string }[]).find((v) => v.name === name)?.default;
}
