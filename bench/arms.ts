// The arms that are not the product, each run in a child process of its own so that no arm shares
// an event loop (or a JIT warm-up) with another, or with the benchmark's own bookkeeping:
//   node bench/arms.ts '<json ArmRequest>'   → progress on stderr, one `RESULT {json}` line on stdout.
// B-store (store.ts), B-naive (eachMessage + one awaited conditional PutItem per message, default
// kafkajs and SDK settings) and B-kafka (the product's kafkajs client and consumer settings, no sink).

import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { Kafka, logLevel } from "kafkajs";
import { decodeKafkaRecord } from "../src/core/record.ts";
import { createKafka, fetchOptions } from "../src/adapters/kafka/client.ts";
import { buildPut } from "../src/core/item.ts";
import { createLog } from "../src/telemetry/log.ts";
import { decodeStream, runStorePoint, type StorePoint, type StoreResult } from "./store.ts";
import type { StreamOptions } from "./workload.ts";
import { kafkaConfig } from "../test/support/kafka-config.ts";

export type ArmRequest =
  | {
      arm: "store";
      endpoint: string;
      tables: string[];
      stream: StreamOptions;
      points: StorePoint[];
      seconds: number;
      warmup: number;
      pids: Record<string, number | undefined>;
    }
  | {
      arm: "naive";
      brokers: string;
      topic: string;
      group: string;
      endpoint: string;
      table: string;
      total: number;
      seconds: number;
      warmup: number;
    }
  | {
      arm: "kafka";
      brokers: string;
      topic: string;
      group: string;
      total: number;
      seconds: number;
      warmup: number;
    };

export type ArmResult = {
  records: number;
  seconds: number;
  rate: number;
  points?: StoreResult[];
  /** This process's user + system CPU over the counted window, per record (the Kafka arms). */
  cpuMsPerRecord?: number;
};

const say = (line: string): void => void process.stderr.write(`${line}\n`);

async function store(r: Extract<ArmRequest, { arm: "store" }>): Promise<ArmResult> {
  const entries = decodeStream(r.stream);
  const points: StoreResult[] = [];
  for (const [i, point] of r.points.entries()) {
    const result = await runStorePoint(r.endpoint, r.tables[i]!, entries, point, r.seconds, r.warmup, r.pids);
    say(
      `${point.shape}${point.shape === "put" ? "" : `×${point.chunk}`} in flight ${point.inFlight}: ` +
        `${Math.round(result.rate)} records/s, ${result.meanLatencyMs.toFixed(1)} ms per request`,
    );
    points.push(result);
  }
  const best = points.reduce((a, b) => (b.rate > a.rate ? b : a));
  return { records: best.records, seconds: best.seconds, rate: best.rate, points };
}

/**
 * Consumes from the group's join: `warmup` seconds not counted, then counts for `seconds` (or until
 * the topic's `total` records are in); `run` builds the consumer's run() options around `count`.
 */
async function consume(
  kafka: Kafka,
  r: { topic: string; group: string; total: number; seconds: number; warmup: number },
  run: (count: (n: number) => void) => Parameters<ReturnType<Kafka["consumer"]>["run"]>[0],
  fetch: { maxBytes?: number; maxBytesPerPartition?: number; maxWaitTimeInMs?: number } = {},
): Promise<ArmResult> {
  const consumer = kafka.consumer({ groupId: r.group, allowAutoTopicCreation: false, ...fetch });
  let windowStart = Infinity;
  let total = 0;
  let counted = 0;
  let finishedAt = 0;
  let cpu: NodeJS.CpuUsage | undefined;
  consumer.on(
    consumer.events.GROUP_JOIN,
    () => (windowStart = Math.min(windowStart, performance.now() + r.warmup * 1000)),
  );
  await consumer.connect();
  await consumer.subscribe({ topics: [r.topic], fromBeginning: true });
  await consumer.run(
    run((n) => {
      total += n;
      if (performance.now() >= windowStart) {
        cpu ??= process.cpuUsage();
        counted += n;
      }
      if (total >= r.total && finishedAt === 0) finishedAt = performance.now();
    }),
  );
  const progress = setInterval(() => say(`${total} records`), 2000);
  while (finishedAt === 0 && !(performance.now() > windowStart + r.seconds * 1000))
    await new Promise((res) => setTimeout(res, 20));
  const end = finishedAt || performance.now();
  const used = process.cpuUsage(cpu);
  clearInterval(progress);
  await consumer.disconnect();
  const seconds = (end - windowStart) / 1000;
  return {
    records: counted,
    seconds,
    rate: counted / seconds,
    cpuMsPerRecord: (used.user + used.system) / 1000 / Math.max(1, counted),
  };
}

async function naive(r: Extract<ArmRequest, { arm: "naive" }>): Promise<ArmResult> {
  const kafka = new Kafka({
    clientId: "bench-naive",
    brokers: r.brokers.split(","),
    logLevel: logLevel.NOTHING,
  });
  const client = new DynamoDBClient({
    region: "us-east-1",
    endpoint: r.endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const options = {
    table: r.table,
    keyAttribute: "pk",
    ttlAttribute: "_cdc_expires_at",
    tombstoneTtlSeconds: 0,
    compression: "none" as const,
  };
  const result = await consume(kafka, r, (count) => ({
    eachMessage: async ({ topic, partition, message }) => {
      const record = {
        topic,
        partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        headers: {},
        timestamp: message.timestamp,
      };
      const decoded = decodeKafkaRecord(record, { versionSource: "auto", epoch: 0 });
      if (decoded.kind === "change") {
        try {
          await client.send(new PutItemCommand(buildPut(decoded.event, record, options, Date.now())));
        } catch (err) {
          if ((err as { name?: string }).name !== "ConditionalCheckFailedException") throw err;
        }
      }
      count(1);
    },
  }));
  client.destroy();
  return result;
}

async function kafkaOnly(r: Extract<ArmRequest, { arm: "kafka" }>): Promise<ArmResult> {
  const config = kafkaConfig({
    brokers: r.brokers.split(","),
    clientId: "bench-kafka",
    groupId: r.group,
    topics: [r.topic],
  });
  const kafka = createKafka(config, createLog("silent"));
  // The product's consumer settings (src/adapters/kafka/source.ts): eachBatch, no auto-commit,
  // its fetch sizes.
  return consume(
    kafka,
    r,
    (count) => ({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 1,
      eachBatch: ({ batch }) => {
        count(batch.messages.length);
        return Promise.resolve();
      },
    }),
    fetchOptions(config),
  );
}

if (import.meta.main) {
  process.removeAllListeners("warning"); // kafkajs 2.2.4 arms a negative timer on Node >= 23
  const request = JSON.parse(process.argv[2] ?? "{}") as ArmRequest;
  const result =
    request.arm === "store"
      ? await store(request)
      : request.arm === "naive"
        ? await naive(request)
        : await kafkaOnly(request);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}
