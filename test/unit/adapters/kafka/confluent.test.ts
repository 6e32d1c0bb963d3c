import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { confluentClients, librdkafkaPattern } from "../../../../src/adapters/kafka/confluent.ts";
import { loadConfig } from "../../../../src/config/config.ts";
import { createLog } from "../../../../src/telemetry/log.ts";
import { loadConfluent } from "../../../../src/adapters/kafka/confluent-module.ts";
import { FatalError } from "../../../../src/core/errors.ts";

// The subscription string goes two ways: under the classic protocol librdkafka searches topic names
// with it (rd_regex_exec); under KIP-848 it goes to the broker as SubscribedTopicRegex, and Kafka's
// group coordinator keeps a topic only if the whole name matches (re2j `matcher(topic).matches()`).
// The JS pattern's own meaning is a search (RegExp.test). All three must pick the same topics.
const fullMatch = (re: RegExp, topic: string): boolean => new RegExp(`^(?:${re.source})$`).test(topic);

test("a JS topic pattern as librdkafka's: ^ first, the same topics searched or matched whole", () => {
  const topics = [
    "pg.public.orders",
    "pg.public.",
    "x.pg.public.a",
    "orders",
    "pg.orders",
    "orders.dlq",
    "a.b",
  ];
  for (const js of [
    /^pg\.public\./,
    /orders$/,
    /^pg\.public\.orders$/,
    /public/,
    /^a|^orders/,
    /^(pg|x)\./,
  ]) {
    const converted = librdkafkaPattern(js);
    assert.ok(converted.source.startsWith("^"), `${converted.source}: librdkafka takes a regex only with ^`);
    for (const topic of topics) {
      const want = js.test(topic);
      assert.equal(converted.test(topic), want, `classic: ${converted.source} on ${topic}`);
      assert.equal(fullMatch(converted, topic), want, `KIP-848: ${converted.source} on ${topic}`);
    }
  }
});

test("a confluent client that does not load is a configuration error naming how to build it", () => {
  assert.throws(
    () => loadConfluent("/nonexistent/kafka-javascript"),
    (err: unknown) =>
      err instanceof FatalError &&
      err.exitCode === 2 &&
      /npm run build:confluent/.test(err.message) &&
      /\/nonexistent\/kafka-javascript/.test(err.message),
  );
});

// A stand-in for the package's KafkaJS API, loaded through KAFKA_CLIENT_MODULE: it keeps the
// consumer's options (so the test can call its rebalance_cb) and every pause and resume asked for.
const FAKE_PACKAGE = `
exports.calls = [];
class Consumer {
  constructor(options) { exports.options = options; }
  async connect() {}
  async subscribe() {}
  async run() {}
  pause(tps) { exports.calls.push(["pause", tps]); }
  resume(tps) { exports.calls.push(["resume", tps]); }
  async commitOffsets() {}
  async disconnect() {}
}
exports.KafkaJS = { Kafka: class { consumer(o) { return new Consumer(o); } producer() { return {}; } } };
`;
type Fake = {
  calls: [string, { topic: string; partitions: number[] }[]][];
  options: { rebalance_cb(err: { code: number }, tps: { topic: string; partition: number }[]): void };
};

for (const protocol of ["classic", "consumer"] as const) {
  test(`${protocol}: each assignment resumes its partitions (librdkafka keeps a pause across a rebalance)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "fake-ckjs-"));
    writeFileSync(join(dir, "index.js"), FAKE_PACKAGE);
    const loaded = loadConfig(
      {
        KAFKA_BROKERS: "127.0.0.1:9092",
        KAFKA_GROUP_ID: "g",
        KAFKA_TOPICS: "t",
        DYNAMODB_TABLE: "cdc",
        AWS_REGION: "eu-west-1",
        KAFKA_CLIENT: "confluent",
        KAFKA_CLIENT_MODULE: dir,
        KAFKA_GROUP_PROTOCOL: protocol,
      },
      () => "",
    );
    assert.ok(loaded.ok, loaded.ok ? "" : loaded.errors.join("\n"));
    const fake = createRequire(import.meta.url)(dir) as Fake;
    const consumer = confluentClients(loaded.config.kafka, createLog("silent")).consumer();
    const seen: string[] = [];
    await consumer.run({ topics: ["t"], fromBeginning: true }, {
      batch: () => undefined,
      assigned: (a: unknown) => void seen.push(`assigned ${JSON.stringify(a)}`),
      added: (a: unknown) => void seen.push(`added ${JSON.stringify(a)}`),
      revoked: () => undefined,
      revokedAll: () => undefined,
    } as unknown as Parameters<typeof consumer.run>[1]);
    consumer.pause("t", [0, 1]); // the engine paused them (memory, in-flight window)
    fake.options.rebalance_cb({ code: -174 }, [
      { topic: "t", partition: 0 },
      { topic: "t", partition: 1 },
    ]);
    fake.options.rebalance_cb({ code: -175 }, [{ topic: "t", partition: 1 }]); // 1 comes back
    assert.deepEqual(fake.calls, [
      ["pause", [{ topic: "t", partitions: [0, 1] }]],
      ["resume", [{ topic: "t", partitions: [1] }]],
    ]);
    assert.equal(seen.length, 1);
  });
}
