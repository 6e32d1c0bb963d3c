// Compacted source topics on the real broker, through `cdc-sink run`. Log compaction removes a
// delete event (`op: d`) once the null tombstone of the same key follows it, and the sink skips
// null tombstones: a sink that lags behind the cleaner would keep a deleted row. So a consumed
// topic with cleanup.policy compact (or compact,delete) is refused unless the operator opts in.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { stackEndpoints, type Endpoints } from "../../../support/stack.ts";
import { createTopic, createTopicsAndWait, withAdmin } from "../../../support/kafka.ts";
import { uniqueName } from "../../../support/names.ts";
import { createTable } from "../../../support/dynamo.ts";
import { spawnSink, waitConsuming, type SinkProcess } from "../../../support/sink-process.ts";

let endpoints: Endpoints;
const running = new Set<SinkProcess>();

before(() => {
  endpoints = stackEndpoints();
});
after(() => {
  for (const p of running) p.child.kill("SIGKILL");
});

function start(env: Record<string, string>): SinkProcess {
  const p = spawnSink(endpoints, env);
  running.add(p);
  void p.exited.then(() => running.delete(p));
  return p;
}

/** The exit code, or a failure naming the output when the sink is still running after `ms`. */
async function exitCode(p: SinkProcess, ms = 60_000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`still running after ${ms} ms:\n${p.output().slice(-2000)}`)),
      ms,
    );
  });
  try {
    return (await Promise.race([p.exited, late])).code;
  } finally {
    clearTimeout(timer);
  }
}

async function compactedTopic(name: string, policy: string): Promise<void> {
  await withAdmin(endpoints.kafkaBrokers, (admin) =>
    createTopicsAndWait(admin, [
      {
        topic: name,
        numPartitions: 1,
        replicationFactor: 1,
        configEntries: [{ name: "cleanup.policy", value: policy }],
      },
    ]),
  );
}

test("a compacted topic is refused at start-up (exit 3), named, with the way to opt in", async (t) => {
  const table = uniqueName("tbl");
  await createTable(endpoints.dynamodbEndpoint, table);
  const plain = uniqueName("cdc");
  await createTopic(endpoints.kafkaBrokers, plain, 1);

  for (const policy of ["compact", "compact,delete"]) {
    await t.test(`cleanup.policy=${policy} in KAFKA_TOPICS`, async () => {
      const topic = uniqueName("compacted");
      await compactedTopic(topic, policy);
      const p = start({
        KAFKA_TOPICS: `${plain},${topic}`,
        KAFKA_GROUP_ID: uniqueName("g"),
        DYNAMODB_TABLE: table,
      });
      assert.equal(await exitCode(p), 3, p.output());
      assert.match(p.output(), new RegExp(`${topic} .*cleanup\\.policy=${policy}`));
      assert.match(p.output(), /ALLOW_COMPACTED_TOPICS=true/);
      assert.ok(!p.output().includes(`${plain} `), "only the compacted topic is named");
    });
  }

  await t.test("a compacted topic matched by KAFKA_TOPIC_PATTERN", async () => {
    const prefix = uniqueName("pat");
    await createTopic(endpoints.kafkaBrokers, `${prefix}.a`, 1);
    await compactedTopic(`${prefix}.b`, "compact");
    const p = start({
      KAFKA_TOPIC_PATTERN: `^${prefix}\\.`,
      KAFKA_GROUP_ID: uniqueName("g"),
      DYNAMODB_TABLE: table,
    });
    assert.equal(await exitCode(p), 3, p.output());
    assert.match(p.output(), new RegExp(`${prefix}\\.b .*cleanup\\.policy=compact`));
  });

  await t.test("a compacted topic the pattern meets later stops the sink (exit 3)", async () => {
    const prefix = uniqueName("late");
    await createTopic(endpoints.kafkaBrokers, `${prefix}.a`, 1);
    const p = start({
      KAFKA_TOPIC_PATTERN: `^${prefix}\\.`,
      KAFKA_GROUP_ID: uniqueName("g"),
      DYNAMODB_TABLE: table,
      KAFKA_METADATA_MAX_AGE_MS: "1000",
    });
    await waitConsuming(p, 60_000);
    await compactedTopic(`${prefix}.b`, "compact");
    assert.equal(await exitCode(p), 3, p.output());
    assert.match(p.output(), new RegExp(`${prefix}\\.b .*cleanup\\.policy=compact`));
  });

  await t.test("ALLOW_COMPACTED_TOPICS=true: the operator opts in, the sink consumes", async () => {
    const topic = uniqueName("compacted");
    await compactedTopic(topic, "compact");
    const p = start({
      KAFKA_TOPICS: topic,
      KAFKA_GROUP_ID: uniqueName("g"),
      DYNAMODB_TABLE: table,
      ALLOW_COMPACTED_TOPICS: "true",
    });
    await waitConsuming(p, 60_000);
    assert.match(p.output(), new RegExp(`consuming compacted topic\\(s\\) ${topic}`));
    p.child.kill("SIGTERM");
    assert.equal((await p.exited).code, 0, p.output());
  });
});
