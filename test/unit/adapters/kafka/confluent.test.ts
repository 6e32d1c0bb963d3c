import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { confluentClients } from "../../../../src/adapters/kafka/confluent.ts";
import { librdkafkaPattern } from "../../../../src/adapters/kafka/confluent-options.ts";
import { loadConfig } from "../../../../src/config/config.ts";
import { createLog } from "../../../../src/telemetry/log.ts";
import { loadConfluent } from "../../../../src/adapters/kafka/confluent-module.ts";
import { FatalError } from "../../../../src/core/errors.ts";
import { CommitNotConfirmed } from "../../../../src/adapters/kafka/commit-confirm.ts";

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
// consumer's options (so the test can call its rebalance_cb), its run options (to hand it batches)
// and every pause, resume and seek asked for.
const FAKE_PACKAGE = `
exports.calls = [];
exports.stored = new Map();
exports.loseCommits = false;
class Consumer {
  constructor(options) { exports.options = options; }
  async connect() {}
  async subscribe() {}
  async run(r) { exports.run = r; }
  pause(tps) { exports.calls.push(["pause", tps]); }
  resume(tps) { exports.calls.push(["resume", tps]); }
  seek(tpo) { exports.calls.push(["seek", tpo]); }
  // The group's offsets as the coordinator holds them; loseCommits: commits queued, never stored
  // (the package resolves commitOffsets once librdkafka has queued the commit).
  async commitOffsets(points) {
    if (!exports.loseCommits) for (const p of points) exports.stored.set(p.topic + "/" + p.partition, p.offset);
  }
  async committed(tps) {
    return tps.map((tp) => ({ ...tp, offset: exports.stored.get(tp.topic + "/" + tp.partition) ?? null }));
  }
  async disconnect() {}
}
exports.KafkaJS = { Kafka: class { consumer(o) { return new Consumer(o); } producer() { return {}; } } };
`;
type Fake = {
  calls: [string, unknown][];
  stored: Map<string, string>;
  loseCommits: boolean;
  options: Record<string, unknown> & {
    rebalance_cb(err: { code: number }, tps: { topic: string; partition: number }[]): void;
  };
  run: {
    eachBatchAutoResolve: boolean;
    eachBatch(p: {
      batch: { topic: string; partition: number; messages: object[] };
      resolveOffset(offset: string): void;
    }): Promise<void>;
  };
};

function fakeConsumer(protocol: "classic" | "consumer", env: Record<string, string> = {}) {
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
      ...env,
    },
    () => "",
  );
  assert.ok(loaded.ok, loaded.ok ? "" : loaded.errors.join("\n"));
  const fake = createRequire(import.meta.url)(dir) as Fake;
  const consumer = confluentClients(loaded.config.kafka, createLog("silent")).consumer();
  return { fake, consumer };
}

/** Runs the consumer with handlers that record each batch handed over as "partition:offsets". */
async function runRecording(consumer: ReturnType<typeof fakeConsumer>["consumer"]): Promise<string[]> {
  const batches: string[] = [];
  await consumer.run({ topics: ["t"], fromBeginning: true }, {
    batch: (b: { partition: number; records: { offset: string }[] }) =>
      void batches.push(`${b.partition}:${b.records.map((r) => r.offset).join(",")}`),
    assigned: () => undefined,
    added: () => undefined,
    revoked: () => undefined,
    revokedAll: () => undefined,
  } as unknown as Parameters<typeof consumer.run>[1]);
  return batches;
}

/** Hands the adapter a batch of `offsets` of partition p of topic t; returns what it resolved. */
async function feed(fake: Fake, partition: number, offsets: number[]): Promise<string[]> {
  const resolved: string[] = [];
  const messages = offsets.map((o) => ({ offset: String(o), key: null, value: null, timestamp: "0" }));
  await fake.run.eachBatch({
    batch: { topic: "t", partition, messages },
    resolveOffset: (o) => void resolved.push(o),
  });
  return resolved;
}

for (const protocol of ["classic", "consumer"] as const) {
  test(`${protocol}: each assignment resumes its partitions (librdkafka keeps a pause across a rebalance)`, async () => {
    const { fake, consumer } = fakeConsumer(protocol);
    const seen: string[] = [];
    await consumer.run({ topics: ["t"], fromBeginning: true }, {
      batch: () => undefined,
      assigned: (a: unknown) => void seen.push(`assigned ${JSON.stringify(a)}`),
      added: (a: unknown) => void seen.push(`added ${JSON.stringify(a)}`),
      revoked: () => undefined,
      revokedAll: () => undefined,
    } as unknown as Parameters<typeof consumer.run>[1]);
    await feed(fake, 0, [5, 6]);
    await feed(fake, 1, [7]);
    consumer.pause("t", [0, 1]); // the engine paused them (memory, in-flight window)
    fake.options.rebalance_cb({ code: -174 }, [
      { topic: "t", partition: 0 },
      { topic: "t", partition: 1 },
    ]);
    fake.options.rebalance_cb({ code: -175 }, [{ topic: "t", partition: 1 }]); // 1 comes back
    assert.deepEqual(fake.calls, [
      // Each pause at the offset after what was handed out (see the tests below).
      ["seek", { topic: "t", partition: 0, offset: "7" }],
      ["pause", [{ topic: "t", partitions: [0] }]],
      ["seek", { topic: "t", partition: 1, offset: "8" }],
      ["pause", [{ topic: "t", partitions: [1] }]],
      // The revoke seeks each partition it had read to where the group stands, then the
      // assignment resumes what came back.
      ["seek", { topic: "t", partition: 0, offset: "5" }],
      ["seek", { topic: "t", partition: 1, offset: "7" }],
      ["resume", [{ topic: "t", partitions: [1] }]],
    ]);
    assert.equal(seen.length, 1);
  });
}

// The package (1.10.1) keeps the last offset it handed out per partition across a revoke and a pause
// seeks there + 1; a pause of a partition with nothing handed out in this assignment drops what was
// prefetched for it without seeking back. Either way records were skipped (pause-after-reassign).
test("librdkafka's prefetch queue is bounded by one fetch's bytes (KAFKA_FETCH_MAX_BYTES), not its 64 MiB", async () => {
  // Unbounded, librdkafka fills its consumer queue to 100 000 messages or 64 MiB whatever
  // MAX_BUFFERED_RECORDS says: 420-450 MB of RSS on a 1 M backlog against 234 MB bounded.
  for (const [env, kbytes] of [
    [{}, 2048],
    [{ KAFKA_FETCH_MAX_BYTES: "5000000" }, 4883],
    [{ KAFKA_FETCH_MAX_BYTES: "1024" }, 1],
  ] as const) {
    const { fake, consumer } = fakeConsumer("classic", env);
    await runRecording(consumer);
    assert.equal(fake.options["queued.max.messages.kbytes"], kbytes, JSON.stringify(env));
    assert.equal(fake.options["fetch.queue.backoff.ms"], 50, "a full queue is fetched again soon");
  }
});

test("a revoke seeks what it had read to where the group stands, so the package forgets its last offset", async () => {
  const { fake, consumer } = fakeConsumer("classic");
  const batches = await runRecording(consumer);
  assert.equal(fake.run.eachBatchAutoResolve, false);
  // Resolved before the engine sees it, so a pause from inside the handler cannot unresolve it.
  assert.deepEqual(await feed(fake, 0, [10, 11, 12]), ["12"]);
  await consumer.commit([{ topic: "t", partition: 0, offset: "12" }]);
  fake.options.rebalance_cb({ code: -174 }, [
    { topic: "t", partition: 0 },
    { topic: "t", partition: 2 }, // nothing read: nothing to forget
  ]);
  assert.deepEqual(fake.calls, [["seek", { topic: "t", partition: 0, offset: "12" }]]);
  assert.deepEqual(batches, ["0:10,11,12"]);
});

// Fault scenario 08 under KIP-848: a member's commit of partition 2 at 1251 was reported done while
// the group kept 537, and nothing committed it again (the partition was quiet).
test("a commit the group does not hold afterwards is not confirmed, and not remembered as the group's position", async () => {
  const { fake, consumer } = fakeConsumer("classic");
  await runRecording(consumer);
  await feed(fake, 0, [10, 11, 12]);
  fake.loseCommits = true;
  await assert.rejects(
    consumer.commit([{ topic: "t", partition: 0, offset: "13" }]),
    (err: unknown) => err instanceof CommitNotConfirmed && /t\/0@13/.test(err.message),
  );
  fake.loseCommits = false;
  await consumer.commit([{ topic: "t", partition: 1, offset: "4" }]); // held: resolves
  fake.options.rebalance_cb({ code: -174 }, [{ topic: "t", partition: 0 }]);
  // The revoke seeks to the first offset read, not to the commit that never landed.
  assert.deepEqual(fake.calls, [["seek", { topic: "t", partition: 0, offset: "10" }]]);
});

test("a pause seeks to the offset after what was handed out; before a first batch it waits for that batch", async () => {
  const { fake, consumer } = fakeConsumer("classic");
  const batches = await runRecording(consumer);
  await feed(fake, 0, [3]);
  consumer.pause("t", [0, 1]);
  assert.deepEqual(
    fake.calls,
    [
      ["seek", { topic: "t", partition: 0, offset: "4" }],
      ["pause", [{ topic: "t", partitions: [0] }]],
    ],
    "1 has no batch yet: nothing to tell the package",
  );
  // 1's first batch: held back, unresolved, and the partition paused where that batch starts.
  assert.deepEqual(await feed(fake, 1, [20, 21]), []);
  // A batch of 0 already on its way when it was paused: held back too, unresolved.
  assert.deepEqual(await feed(fake, 0, [4, 5]), []);
  assert.deepEqual(batches, ["0:3"]);
  assert.deepEqual(fake.calls.slice(2), [
    ["seek", { topic: "t", partition: 1, offset: "20" }],
    ["pause", [{ topic: "t", partitions: [1] }]],
  ]);
  consumer.resume("t", [0, 1]);
  assert.deepEqual(await feed(fake, 1, [20, 21]), ["21"]);
  assert.deepEqual(await feed(fake, 0, [4, 5]), ["5"]);
  assert.deepEqual(batches, ["0:3", "1:20,21", "0:4,5"]);
  // Paused twice with no batch between: the second pause seeks to the same place again, as the
  // package by itself would not (it forgets the offset at its own seek).
  consumer.pause("t", [0]);
  consumer.resume("t", [0]);
  consumer.pause("t", [0]);
  assert.deepEqual(
    fake.calls.filter(([op, a]) => op === "seek" && (a as { partition: number }).partition === 0).at(-1),
    ["seek", { topic: "t", partition: 0, offset: "6" }],
  );
  // A resume before the first batch cancels the waiting pause: the batch goes through.
  consumer.pause("t", [2]);
  consumer.resume("t", [2]);
  assert.deepEqual(await feed(fake, 2, [1]), ["1"]);
  assert.deepEqual(batches, ["0:3", "1:20,21", "0:4,5", "2:1"]);
});
