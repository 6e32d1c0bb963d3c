// A commit the Kafka port reports done must be in the group's offsets: the engine marks what it
// committed and commits a partition again only when its watermark moves, so a commit acknowledged
// but lost is never redone while the partition is quiet, and a crash then replays from the older
// offset. @confluentinc/kafka-javascript (1.10.1) resolves `commitOffsets` as soon as librdkafka has
// queued the commit (its native commitCb calls `commitAsync`), not when the coordinator has it; the
// outcome goes to an offset_commit_cb the KafkaJS layer does not expose. Fault scenario 08 under
// KIP-848 stalled that way: a member's /debug/state said partition 2 was committed at 1251 while the
// group held 537. Here the broker is frozen (SIGSTOP) while a commit is asked for, then killed and
// started again. Runs on a private stack, with the client the test runner chose.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, test } from "node:test";
import { kafkaClients } from "../../../../src/adapters/kafka/clients.ts";
import type { ConsumerHandlers } from "../../../../src/engine/ports.ts";
import { createLog } from "../../../../src/telemetry/log.ts";
import { killPart, startPart, startStack, stopStack, type Endpoints } from "../../../../tools/stack/index.ts";
import { pgKey, pgValue } from "../../../support/debezium-records.ts";
import { createTopic, kafkaClient } from "../../../support/kafka.ts";
import { kafkaConfig } from "../../../support/kafka-config.ts";
import { connectedProducer } from "../../../support/kafka-progress.ts";
import { uniqueName } from "../../../support/names.ts";
import { clientMatrixEnv } from "../../../support/sink-process.ts";
import { waitFor } from "../../../support/wait.ts";

let dir: string;
let endpoints: Endpoints;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "cdc-stack-commit-"));
  endpoints = await startStack({ dir });
});

after(async () => {
  await stopStack(dir);
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The group's offset of partition 0. Asked again while the answer is a retriable error: right after
 * the broker's restart its coordinator is still loading the group (COORDINATOR_LOAD_IN_PROGRESS),
 * which kafkajs's admin fetchOffsets hands back without retrying.
 */
async function groupOffset(group: string, topic: string): Promise<string | undefined> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const admin = kafkaClient(endpoints.kafkaBrokers, "commit-check").admin();
    try {
      await admin.connect();
      const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      return t?.partitions.find((p) => p.partition === 0)?.offset;
    } catch (err) {
      if ((err as { retriable?: unknown }).retriable !== true || Date.now() > deadline) throw err;
    } finally {
      await admin.disconnect();
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

test("a commit reported done is in the group's offsets, even when the broker dies under it", async () => {
  const topic = uniqueName("commit");
  await createTopic(endpoints.kafkaBrokers, topic, 1);
  const producer = await connectedProducer(endpoints.kafkaBrokers);
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: 20 }, (_, i) => ({
      key: pgKey(i),
      value: pgValue({ op: "c", id: i, lsn: 100 + i, row: { name: `n${i}` } }),
    })),
  });
  await producer.disconnect();

  const env = clientMatrixEnv(process.env);
  const group = uniqueName("g");
  const config = kafkaConfig({
    brokers: endpoints.kafkaBrokers.split(","),
    groupId: group,
    topics: [topic],
    client: (env["KAFKA_CLIENT"] ?? "kafkajs") as "kafkajs" | "confluent",
    groupProtocol: (env["KAFKA_GROUP_PROTOCOL"] ?? "classic") as "classic" | "consumer",
    sessionTimeoutMs: 45_000,
    heartbeatIntervalMs: 3_000,
  });
  const log = createLog("warn", new Writable({ write: (_c, _e, done) => done() }));
  const consumer = (await kafkaClients(config, log)).consumer();
  let read = 0;
  const handlers: ConsumerHandlers = {
    batch: (b) => void (read += b.records.length),
    assigned: () => undefined,
    added: () => undefined,
    revokedAll: () => undefined,
    revoked: () => undefined,
    failed: () => undefined, // the broker's death is the test's own doing
  };
  try {
    await consumer.run({ topics: [topic], pattern: undefined, fromBeginning: true }, handlers);
    await waitFor(() => read >= 20, { timeoutMs: 60_000, message: "the records were not read" });
    await consumer.commit([{ topic, partition: 0, offset: "5" }]);
    assert.equal(await groupOffset(group, topic), "5", "a commit with the broker up lands");

    await killPart(dir, "kafka", "SIGSTOP");
    let settled: "resolved" | "rejected" | undefined;
    const commit = consumer.commit([{ topic, partition: 0, offset: "20" }]).then(
      () => void (settled = "resolved"),
      () => void (settled = "rejected"),
    );
    // Long enough for a commit that only queues to report back; the broker cannot answer meanwhile.
    await new Promise((r) => setTimeout(r, 2_000));
    const duringFreeze = settled;
    await killPart(dir, "kafka", "SIGKILL");
    await startPart(dir, "kafka");
    await commit;
    const stored = await groupOffset(group, topic);
    assert.notEqual(
      duringFreeze,
      "resolved",
      `the commit was reported done while the broker was frozen (group at ${stored})`,
    );
    if (settled === "resolved") assert.equal(stored, "20", "reported done, so the group must hold it");
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
});
