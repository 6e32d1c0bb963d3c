// Issue 13 item 2 through `cdc-sink run`: inputs that used to throw something other than a
// PoisonError (a RangeError from a decimal scale of 1e9, a stack overflow from a column nested
// 2,000 deep) go to the DLQ with a clear code; the records after them apply and the process keeps
// running. DynamoDB's nesting limit is checked at its edge: 31 lists apply (the attribute is the
// first of its 32 levels), 32 are poison before the write.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Producer } from "kafkajs";
import { stackEndpoints, type Endpoints } from "../../support/stack.ts";
import { createTopic } from "../../support/kafka.ts";
import { uniqueName } from "../../support/names.ts";
import { waitFor } from "../../support/wait.ts";
import { createTable, scanTable } from "../../support/dynamo.ts";
import { caughtUp, connectedProducer, readTopic } from "../../support/kafka-progress.ts";
import { spawnSink, waitConsuming, type SinkProcess } from "../../support/sink-process.ts";
import { pgEnvelope, pgKey, pgValue } from "../../support/debezium-records.ts";

let endpoints: Endpoints;
let producer: Producer;
let sink: SinkProcess | undefined;

before(async () => {
  endpoints = stackEndpoints();
  producer = await connectedProducer(endpoints.kafkaBrokers);
});
after(async () => {
  sink?.child.kill("SIGKILL");
  await producer.disconnect();
});

function nestedColumn(id: number, depth: number): Buffer {
  const deep = "[".repeat(depth) + "1" + "]".repeat(depth);
  const text = JSON.stringify(pgEnvelope({ op: "c", id, lsn: 10 + id }));
  return Buffer.from(text.replace(`"after":{"id":${id}}`, `"after":{"id":${id},"deep":${deep}}`));
}

function hugeScale(id: number): Buffer {
  const payload = pgEnvelope({ op: "c", id, lsn: 10 + id, row: { n: { scale: 1e9, value: "AQ==" } } });
  const schema = {
    type: "struct",
    fields: [
      {
        field: "after",
        type: "struct",
        fields: [
          { field: "id", type: "int32" },
          { field: "n", type: "struct", name: "io.debezium.data.VariableScaleDecimal" },
        ],
      },
    ],
  };
  return Buffer.from(JSON.stringify({ schema, payload }));
}

test("a decimal scale of 1e9 and a column nested 2,000 deep go to the DLQ; later records apply", async () => {
  const topic = uniqueName("cdc");
  const dlq = uniqueName("dlq");
  const table = uniqueName("tbl");
  const group = uniqueName("g");
  await createTopic(endpoints.kafkaBrokers, topic, 1);
  await createTopic(endpoints.kafkaBrokers, dlq, 1);
  await createTable(endpoints.dynamodbEndpoint, table);
  await producer.send({
    topic,
    acks: -1,
    messages: [
      { key: pgKey(1), value: pgValue({ op: "c", id: 1, lsn: 11 }) },
      { key: pgKey(2), value: hugeScale(2) },
      { key: pgKey(3), value: nestedColumn(3, 2_000) },
      { key: pgKey(4), value: nestedColumn(4, 32) },
      { key: pgKey(5), value: nestedColumn(5, 31) },
      { key: pgKey(6), value: pgValue({ op: "c", id: 6, lsn: 16 }) },
    ],
  });
  sink = spawnSink(endpoints, {
    KAFKA_TOPICS: topic,
    KAFKA_GROUP_ID: group,
    DYNAMODB_TABLE: table,
    DLQ_TOPIC: dlq,
  });
  await waitConsuming(sink);
  await waitFor(() => caughtUp(endpoints.kafkaBrokers, group, topic), {
    timeoutMs: 120_000,
    message: `not caught up:\n${sink.output().slice(-3000)}`,
  });
  const dead = await readTopic(endpoints.kafkaBrokers, dlq, 3);
  const codes = dead
    .sort(
      (a, b) => Number(a.headers["__connect.errors.offset"]) - Number(b.headers["__connect.errors.offset"]),
    )
    .map((d) => [d.headers["__connect.errors.offset"], d.headers["cdc.error.code"]]);
  assert.deepEqual(codes, [
    ["1", "invalid_decimal"],
    ["2", "too_deep"],
    ["3", "too_deep"],
  ]);
  const items = await scanTable(endpoints.dynamodbEndpoint, table);
  assert.deepEqual(
    [...items.keys()].sort(),
    ["pg.app.public.customers:[1]", "pg.app.public.customers:[5]", "pg.app.public.customers:[6]"],
    "the records around the poison ones applied, and 31 lists are within DynamoDB's 32 levels",
  );
  assert.equal(sink.child.exitCode, null, `the sink is still running:\n${sink.output().slice(-2000)}`);
  sink.child.kill("SIGTERM");
  assert.equal((await sink.exited).code, 0, sink.output().slice(-3000));
});
