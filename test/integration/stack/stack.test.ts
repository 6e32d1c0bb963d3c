// Proves each part of the local stack is the real thing, through the clients the product uses.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import kafkajs from "kafkajs";
import {
  debeziumPostgresConfig,
  deleteConnector,
  putConnector,
  waitConnectorRunning,
  waitSlotActive,
} from "../../support/debezium-connect.ts";
import { createTopic, kafkaClient, withAdmin } from "../../support/kafka.ts";
import { uniqueName } from "../../support/names.ts";
import { dropSlot, withPg } from "../../support/postgres.ts";
import { cdcEndpoints, stackEndpoints } from "../../support/stack.ts";
import { waitFor } from "../../support/wait.ts";

// kafkajs is CommonJS; Node detects only the first few of its exports as named ones.
const { ConfigResourceTypes } = kafkajs;

void test("kafka: a consumer group reads what was produced and its commits are stored", async () => {
  const { kafkaBrokers } = stackEndpoints();
  const topic = uniqueName("stack_topic");
  const groupId = uniqueName("stack_group");
  await createTopic(kafkaBrokers, topic, 2);

  const kafka = kafkaClient(kafkaBrokers);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: ["a", "b", "c", "d"].map((v, i) => ({ key: `k${i}`, value: v })) });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId });
  const seen: string[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic: t, partition, message }) => {
        seen.push(message.value?.toString() ?? "");
        // A committed offset names the next record to read, hence last + 1.
        await consumer.commitOffsets([
          { topic: t, partition, offset: (BigInt(message.offset) + 1n).toString() },
        ]);
      },
    });
    await waitFor(() => seen.length === 4, { timeoutMs: 60_000, message: "4 records consumed" });
  } finally {
    await consumer.disconnect();
  }
  assert.deepEqual([...seen].sort(), ["a", "b", "c", "d"]);

  await withAdmin(kafkaBrokers, async (admin) => {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const total = committed?.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    assert.equal(total, 4, "committed offsets cover all four records");
  });
});

void test("kafka: the broker does not auto-create topics", async () => {
  const { kafkaBrokers } = stackEndpoints();
  await withAdmin(kafkaBrokers, async (admin) => {
    const { brokers } = await admin.describeCluster();
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        {
          type: ConfigResourceTypes.BROKER,
          name: String(brokers[0]?.nodeId),
          configNames: ["auto.create.topics.enable"],
        },
      ],
    });
    assert.equal(described.resources[0]?.configEntries[0]?.configValue, "false");
  });
});

void test("dynamodb: a failed condition is ConditionalCheckFailedException with the old item", async () => {
  const { dynamodbEndpoint, awsRegion } = stackEndpoints();
  const client = new DynamoDBClient({
    endpoint: dynamodbEndpoint,
    region: awsRegion,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const TableName = uniqueName("stack_table");
  try {
    await client.send(
      new CreateTableCommand({
        TableName,
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    await client.send(new PutItemCommand({ TableName, Item: { pk: { S: "a" }, v: { N: "1" } } }));
    const put = client.send(
      new PutItemCommand({
        TableName,
        Item: { pk: { S: "a" }, v: { N: "2" } },
        ConditionExpression: "attribute_not_exists(#pk)",
        ExpressionAttributeNames: { "#pk": "pk" },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    );
    await assert.rejects(put, (err: unknown) => {
      assert.ok(err instanceof ConditionalCheckFailedException, `got ${String(err)}`);
      assert.deepEqual(err.Item, { pk: { S: "a" }, v: { N: "1" } });
      return true;
    });
  } finally {
    await client.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
    client.destroy();
  }
});

void test("cdc: a row inserted into PostgreSQL arrives on a Debezium topic as an op c envelope", async () => {
  const { kafkaBrokers, postgresUrl, connectUrl } = cdcEndpoints();
  const table = uniqueName("stack_cdc");
  const name = uniqueName("stack_connector");
  const slot = uniqueName("stack_slot");
  const publication = uniqueName("stack_pub");
  const topicPrefix = uniqueName("stack_cdc");
  const topic = `${topicPrefix}.public.${table}`;
  const consumer = kafkaClient(kafkaBrokers).consumer({ groupId: uniqueName("stack_cdc_group") });
  await withPg(postgresUrl, (pg) =>
    pg.query(`CREATE TABLE public.${table} (id int PRIMARY KEY, name text NOT NULL)`),
  );
  try {
    await putConnector(
      connectUrl,
      name,
      debeziumPostgresConfig(postgresUrl, {
        topicPrefix,
        slot,
        publication,
        tables: [`public.${table}`],
        schemas: false,
      }),
    );
    await waitConnectorRunning(connectUrl, name);
    await waitSlotActive(postgresUrl, slot);
    await withPg(postgresUrl, (pg) => pg.query(`INSERT INTO public.${table} (id, name) VALUES (1, 'alpha')`));

    // Connect creates the topic with the first record (the broker would not).
    await withAdmin(kafkaBrokers, (admin) =>
      waitFor(async () => (await admin.listTopics()).includes(topic), {
        timeoutMs: 60_000,
        message: `topic ${topic}`,
      }),
    );
    const values: Record<string, unknown>[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value) values.push(JSON.parse(message.value.toString()) as Record<string, unknown>);
        return Promise.resolve();
      },
    });
    const created = await waitFor(() => values.find((v) => v.op === "c"), {
      timeoutMs: 60_000,
      message: `an op "c" envelope on ${topic}`,
    });
    assert.deepEqual(created.after, { id: 1, name: "alpha" });
    assert.equal(created.before, null);
    assert.equal((created.source as { table?: string }).table, table);
  } finally {
    await consumer.disconnect();
    await deleteConnector(connectUrl, name);
    await dropSlot(postgresUrl, slot);
    await withPg(postgresUrl, async (pg) => {
      await pg.query(`DROP PUBLICATION IF EXISTS ${publication}`);
      await pg.query(`DROP TABLE IF EXISTS public.${table}`);
    });
  }
});
