// `npm run demo`: the whole pipeline on the local stack, end to end, in about a minute.
// Starts (or reuses) the stack, creates a table and topics, produces a Debezium-shaped stream with
// creates, updates, deletes and their tombstones, a replayed batch, an older version arriving late
// and one poison message, runs the sink until the lag is 0 while showing progress, and prints a
// summary with the final items of a few keys. `--json`: the summary as JSON on stdout, the rest on
// stderr.

import { resolve } from "node:path";
import { readFileSync } from "node:fs";
import { Kafka, logLevel } from "kafkajs";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { startStack } from "../stack/stack.ts";
import { createTopicsAndWait } from "../kafka/topics.ts";
import { loadConfig } from "../../src/config/config.ts";
import { startService } from "../../src/app/service.ts";
import { createDynamoClient } from "../../src/adapters/dynamodb/client.ts";
import { initTable } from "../../src/adapters/dynamodb/table.ts";
import { createLog } from "../../src/telemetry/log.ts";
import { OUTCOMES } from "../../src/core/types.ts";
import { finished, summaryLine } from "../../src/engine/stats.ts";
import { parseCommandLine, printJson } from "../cli/args.ts";
import { demoStream } from "./stream.ts";

const USAGE = `usage: npm run demo -- [--json]
  Starts the local stack in $CDC_SINK_STACK_DIR (default ./.stack) or reuses the one running there
  (the first start downloads Kafka and builds dynoxide: a few minutes), creates a table, a topic with
  3 partitions and a dead-letter topic, produces a Debezium-shaped stream, runs the sink until the lag
  is 0 while showing progress, and prints the count of each outcome and the final items of a few keys.
  The stack keeps running (npm run stack -- down stops it). Exit 1 if the sink failed or the counts
  do not add up.
  --json      the summary as JSON on stdout (counts per outcome, consumed, lag, the items, the exit
              status); the progress goes to stderr
  -h, --help  this text`;

const { values } = parseCommandLine("demo", USAGE, {});
process.removeAllListeners("warning"); // kafkajs 2.2.4 arms a negative timer on Node >= 23
const say = (line: string): void => void (values.json ? process.stderr : process.stdout).write(`${line}\n`);

async function main(): Promise<number> {
  const dir = resolve(process.env["CDC_SINK_STACK_DIR"] ?? ".stack");
  say(
    `demo: starting the local stack in ${dir} (first run downloads Kafka and builds dynoxide: a few minutes)`,
  );
  const endpoints = await startStack({ dir, log: (l) => say(`  ${l}`) });
  const run = Date.now().toString(36);
  const topic = `demo.public.customers.${run}`;
  const dlq = `demo.dlq.${run}`;
  const table = `cdc_demo_${run}`;

  const kafka = new Kafka({
    clientId: "cdc-sink-demo",
    brokers: [endpoints.kafkaBrokers],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsAndWait(admin, [
    { topic, numPartitions: 3 },
    { topic: dlq, numPartitions: 1 },
  ]);
  const dynamo = createDynamoClient({
    region: endpoints.awsRegion,
    endpoint: endpoints.dynamodbEndpoint,
    requestTimeoutMs: 10_000,
    maxSockets: 4,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  await initTable(dynamo, table, "pk");
  say(`demo: topic ${topic} (3 partitions), DLQ ${dlq}, table ${table}`);

  const config = loadConfig(
    {
      KAFKA_BROKERS: endpoints.kafkaBrokers,
      KAFKA_GROUP_ID: `demo-${run}`,
      KAFKA_TOPICS: topic,
      DLQ_TOPIC: dlq,
      DYNAMODB_TABLE: table,
      DYNAMODB_ENDPOINT: endpoints.dynamodbEndpoint,
      AWS_REGION: endpoints.awsRegion,
      HEALTH_PORT: "0",
      LOG_LEVEL: "error",
    },
    (p) => readFileSync(p, "utf8"),
  );
  if (!config.ok) throw new Error(config.errors.join("; "));
  const sink = await startService({
    config: config.config,
    // With --json, stdout is the summary's alone.
    log: createLog("error", values.json ? process.stderr : undefined),
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  say(`demo: sink running (health on http://127.0.0.1:${sink.healthPort}/readyz)`);

  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const stream = demoStream(5000);
  let produced = 0;
  for (const phase of stream.phases) {
    for (let i = 0; i < phase.messages.length; i += 500) {
      await producer.send({ topic, acks: -1, messages: phase.messages.slice(i, i + 500) });
    }
    produced += phase.messages.length;
    say(`demo: produced ${phase.name}: ${phase.messages.length} records`);
  }

  const lag = async (): Promise<bigint> => {
    const ends = await admin.fetchTopicOffsets(topic);
    const committed =
      (await admin.fetchOffsets({ groupId: `demo-${run}`, topics: [topic] }))[0]?.partitions ?? [];
    return ends.reduce(
      (n, e) =>
        n +
        BigInt(e.high) -
        BigInt(Math.max(0, Number(committed.find((c) => c.partition === e.partition)?.offset ?? 0))),
      0n,
    );
  };
  const started = Date.now();
  let l: bigint;
  for (;;) {
    l = await lag();
    const t = sink.stats.total;
    say(`demo: ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s  lag=${l}  ${summaryLine(t)}`);
    if (l === 0n && t.consumed === produced && finished(t) === produced) break;
    if (Date.now() - started > 300_000) throw new Error("the sink did not catch up within 5 minutes");
    await new Promise((r) => setTimeout(r, 1000));
  }
  const caughtUpSeconds = (Date.now() - started) / 1000;
  const code = await sink.stop("demo finished");
  await producer.disconnect();

  const t = sink.stats.total;
  say("");
  say("demo: summary");
  say(`  records produced  ${produced}`);
  for (const o of OUTCOMES) say(`  ${o.padEnd(16)}  ${t[o]}`);
  say(
    `  conservation      consumed ${t.consumed} = ${OUTCOMES.map((o) => t[o]).join(" + ")} → ` +
      `${t.consumed === finished(t) ? "holds" : "BROKEN"}`,
  );
  say("");
  say("demo: final items of a few keys");
  const items: Record<string, string | number | boolean | undefined>[] = [];
  for (const { id, story } of stream.highlights) {
    const got = await dynamo.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: `demo.app.public.customers:[${id}]` } },
        ConsistentRead: true,
      }),
    );
    const item = got.Item;
    const shown =
      item === undefined
        ? "absent"
        : item["_cdc_deleted"]?.BOOL
          ? `deleted (tombstone, version ${item["_cdc_version"]?.S})`
          : `name=${item["name"]?.S} email=${item["email"]?.S} version=${item["_cdc_version"]?.S}`;
    say(`  id ${String(id).padEnd(5)} ${story.padEnd(44)} → ${shown}`);
    items.push({
      id,
      story,
      state: item === undefined ? "absent" : item["_cdc_deleted"]?.BOOL ? "deleted" : "present",
      version: item?.["_cdc_version"]?.S,
      name: item?.["name"]?.S,
      email: item?.["email"]?.S,
    });
  }
  await admin.disconnect();
  dynamo.destroy();
  say("");
  say(`demo: done — summary ${summaryLine(t)}; the stack keeps running (npm run stack -- down to stop it)`);
  const exitCode = code === 0 && t.consumed === finished(t) ? 0 : 1;
  if (values.json)
    printJson({
      stack: dir,
      topic,
      dlq,
      table,
      produced,
      consumed: t.consumed,
      outcomes: Object.fromEntries(OUTCOMES.map((o) => [o, t[o]])),
      conservation: t.consumed === finished(t),
      lag: Number(l),
      caughtUpSeconds,
      items,
      sinkExitCode: code,
      exitCode,
    });
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo: failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
