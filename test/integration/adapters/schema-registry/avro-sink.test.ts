// `cdc-sink run` with RECORD_ENCODING=avro against the real Kafka, dynoxide and Apicurio Registry:
// Avro records in the Confluent wire format, with schemas registered in Apicurio, apply with their
// 64-bit longs and decimals exact; a record whose body does not match its schema is dead-lettered
// (avro_mismatch) and the records after it apply.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Producer } from "kafkajs";
import { stackEndpoints, type Endpoints } from "../../../support/stack.ts";
import { createTopic } from "../../../support/kafka.ts";
import { uniqueName } from "../../../support/names.ts";
import { waitFor } from "../../../support/wait.ts";
import { createTable, scanTable } from "../../../support/dynamo.ts";
import { caughtUp, connectedProducer, readTopic } from "../../../support/kafka-progress.ts";
import { spawnSink, waitConsuming, type SinkProcess } from "../../../support/sink-process.ts";
import {
  avroBody,
  envelopeSchema,
  framed,
  keySchema,
  pgSource,
  unscaledBytes,
} from "../../../support/avro-records.ts";

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

async function register(url: string, subject: string, schema: object): Promise<number> {
  const response = await fetch(`${url}/subjects/${subject}/versions`, {
    method: "POST",
    headers: { "content-type": "application/vnd.schemaregistry.v1+json" },
    body: JSON.stringify({ schema: JSON.stringify(schema) }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { id: number }).id;
}

const valueFields = [
  { name: "id", type: "int" },
  { name: "big", type: "long" },
  {
    name: "price",
    type: ["null", { type: "bytes", logicalType: "decimal", precision: 12, scale: 2 }],
    default: null,
  },
];

test("Avro records through Apicurio apply exactly; a mismatching body is dead-lettered", async () => {
  const url = stackEndpoints().registryUrl;
  assert.ok(url !== undefined, "the stack runs a registry (--with-registry)");
  const topic = uniqueName("avro");
  const dlq = uniqueName("dlq");
  const table = uniqueName("tbl");
  const group = uniqueName("g");
  const schema = envelopeSchema(valueFields);
  const keyId = await register(url, `${topic}-key`, keySchema);
  const valueId = await register(url, `${topic}-value`, schema);
  await createTopic(endpoints.kafkaBrokers, topic, 1);
  await createTopic(endpoints.kafkaBrokers, dlq, 1);
  await createTable(endpoints.dynamodbEndpoint, table);
  const key = (id: number): Buffer => framed(keyId, avroBody(keySchema, { id }));
  const change = (op: "c" | "u" | "d", id: number, lsn: bigint, big: bigint, price: bigint): Buffer => {
    const image = { "pg.public.customers.Value": { id, big, price: { bytes: unscaledBytes(price) } } };
    return framed(
      valueId,
      avroBody(schema, {
        before: op === "d" ? image : null,
        after: op === "d" ? null : image,
        source: pgSource(lsn, lsn - 1n),
        op,
        ts_ms: { long: 1_700_000_000_100n },
      }),
    );
  };
  const good = change("c", 3, 30n, 1n, 1n);
  await producer.send({
    topic,
    acks: -1,
    messages: [
      { key: key(1), value: change("c", 1, 10n, 2n ** 62n + 3n, -123456789012n) },
      { key: key(2), value: change("c", 2, 11n, 5n, 100n) },
      { key: key(1), value: change("u", 1, 12n, 2n ** 63n - 1n, 12345678901234n) },
      { key: key(2), value: change("d", 2, 13n, 5n, 100n) },
      { key: key(3), value: good.subarray(0, good.length - 2) },
      { key: key(4), value: change("c", 4, 40n, 7n, 7n) },
    ],
  });
  sink = spawnSink(endpoints, {
    KAFKA_TOPICS: topic,
    KAFKA_GROUP_ID: group,
    DYNAMODB_TABLE: table,
    DLQ_TOPIC: dlq,
    RECORD_ENCODING: "avro",
    SCHEMA_REGISTRY_URL: url,
  });
  await waitConsuming(sink);
  await waitFor(() => caughtUp(endpoints.kafkaBrokers, group, topic), {
    timeoutMs: 120_000,
    message: `not caught up:\n${sink.output().slice(-3000)}`,
  });
  const dead = await readTopic(endpoints.kafkaBrokers, dlq, 1);
  assert.deepEqual(
    dead.map((d) => [d.headers["__connect.errors.offset"], d.headers["cdc.error.code"]]),
    [["4", "avro_mismatch"]],
  );
  const items = await scanTable(endpoints.dynamodbEndpoint, table);
  const one = items.get("pg.app.public.customers:[1]");
  assert.equal(one?.["big"]?.N, "9223372036854775807");
  assert.equal(one?.["price"]?.N, "123456789012.34");
  assert.ok(items.has("pg.app.public.customers:[4]"));
  assert.equal(items.get("pg.app.public.customers:[4]")?.["price"]?.N, "0.07");
  sink.child.kill("SIGTERM");
  assert.equal((await sink.exited).code, 0, sink.output().slice(-3000));
});
