// A commit retried by kafkajs after a rebalance. kafkajs 2.2.4's consumer.commitOffsets runs in the
// runner's retrier (consumer/runner.js:486); each attempt calls consumerGroup.commitOffsets
// (consumerGroup.js:434), which reads `this.offsetManager` again, and the OffsetManager stamps ITS
// generation on the request (offsetManager/index.js:246-256). A rejoin replaces the OffsetManager
// (consumerGroup.js:310). So offsets computed for generation 1 and retried after the rejoin go out
// with generation 2, which the coordinator accepts, for a partition another member now owns. This
// drives kafkajs's own Runner, ConsumerGroup and OffsetManager; only the coordinator is a stand-in.

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";
import { installCommitGuard } from "../../../../src/adapters/kafka/commit-guard.ts";

const require = createRequire(import.meta.url);
type Ctor = new (o: Record<string, unknown>) => Record<string, unknown>;
const Runner = require("kafkajs/src/consumer/runner.js") as Ctor;
const ConsumerGroup = require("kafkajs/src/consumer/consumerGroup.js") as { prototype: object };
const OffsetManager = require("kafkajs/src/consumer/offsetManager/index.js") as Ctor;
const { KafkaJSConnectionError } = require("kafkajs/src/errors.js") as {
  KafkaJSConnectionError: new (message: string) => Error;
};
const { createLogger } = require("kafkajs/src/loggers/index.js") as {
  createLogger: (o: { level: number; logCreator: () => () => void }) => unknown;
};

type Commit = { groupGenerationId: number; topics: { topic: string; partitions: { partition: number }[] }[] };

const committed: Record<string, Record<string, string>> = {};

function offsetManager(generationId: number, partitions: number[], coordinator: unknown) {
  return new OffsetManager({
    // The cluster's cache of committed offsets per group (cluster/index.js), shared as kafkajs shares it.
    cluster: { committedOffsets: () => committed },
    coordinator,
    memberAssignment: { t: partitions },
    autoCommit: false,
    topicConfigurations: {},
    instrumentationEmitter: { emit: () => undefined },
    groupId: "g",
    generationId,
    memberId: "m",
  });
}

test("offsets of revoked partitions are not committed when kafkajs retries across a rejoin", async () => {
  installCommitGuard();
  const sent: Commit[] = [];
  const group = Object.create(ConsumerGroup.prototype) as { offsetManager: unknown };
  const coordinator = {
    isConnected: () => true,
    offsetCommit: (payload: Commit) => {
      sent.push(structuredClone(payload));
      if (sent.length > 1) return Promise.resolve();
      // The first attempt's connection drops (retriable); before the retry fires, this member
      // rejoins in generation 2 and keeps partition 1 only: partition 0 went to another member.
      group.offsetManager = offsetManager(2, [1], coordinator);
      return Promise.reject(new KafkaJSConnectionError("Connection error: read ECONNRESET"));
    },
  };
  group.offsetManager = offsetManager(1, [0, 1], coordinator);
  const runner = new Runner({
    logger: createLogger({ level: 0, logCreator: () => () => undefined }),
    consumerGroup: group,
    instrumentationEmitter: { emit: () => undefined },
    onCrash: () => undefined,
    retry: { initialRetryTime: 5, retries: 3 },
    autoCommit: false,
  }) as { running: boolean; commitOffsets(o: unknown): Promise<void> };
  runner.running = true;

  const offsets = { topics: [{ topic: "t", partitions: [{ partition: 0, offset: "5" }] }] };
  const outcome = await runner.commitOffsets(offsets).then(
    () => "committed",
    (err: Error) => err.message,
  );

  const landed = sent.filter((c) => c.groupGenerationId === 2);
  assert.deepEqual(landed, [], "a generation-1 offset went out stamped with generation 2");
  assert.equal(sent.length, 1);
  assert.match(outcome, /not assigned to this member in generation 2: t\/0/);

  // The partition this member still owns is committed under the new generation as usual.
  await runner.commitOffsets({ topics: [{ topic: "t", partitions: [{ partition: 1, offset: "9" }] }] });
  assert.equal(sent.at(-1)?.groupGenerationId, 2);
  assert.deepEqual(sent.at(-1)?.topics, [{ topic: "t", partitions: [{ partition: 1, offset: "9" }] }]);
});
