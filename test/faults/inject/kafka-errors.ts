// Preload (`node --import`) for fault scenario 9: kafkajs's group calls fail now and then the way a
// broker fails them during rebalances — commits with REBALANCE_IN_PROGRESS, UNKNOWN_MEMBER_ID or
// ILLEGAL_GENERATION, heartbeats with REBALANCE_IN_PROGRESS (which makes the member rejoin).
// INJECT_COMMIT_FAILURE_RATE and INJECT_HEARTBEAT_FAILURE_RATE are probabilities (0–1); with a commit
// rate above 0 a process's first commit always fails.
// INJECT_FETCH_FATAL_AFTER=N: the N-th fetch fails with a non-retriable error (scenario 18).
// With KAFKA_CLIENT=confluent the commits of @confluentinc/kafka-javascript fail the same way, with
// the KafkaJSError and librdkafka code it gives a broker's refusal; its heartbeats run inside
// librdkafka, out of reach, so only commits are injected there.

import { createRequire } from "node:module";
import { loadConfluent } from "../../../src/adapters/kafka/confluent-module.ts";

const require = createRequire(import.meta.url);
const ConsumerGroup = require("kafkajs/src/consumer/consumerGroup.js") as {
  prototype: Record<string, (...a: unknown[]) => Promise<unknown>>;
};
const { KafkaJSProtocolError, KafkaJSNonRetriableError } = require("kafkajs/src/errors.js") as {
  KafkaJSProtocolError: new (e: unknown) => Error;
  KafkaJSNonRetriableError: new (m: string) => Error;
};
const { createErrorFromCode } = require("kafkajs/src/protocol/error.js") as {
  createErrorFromCode: (code: number) => unknown;
};

const commitRate = Number(process.env["INJECT_COMMIT_FAILURE_RATE"] ?? "0");
const heartbeatRate = Number(process.env["INJECT_HEARTBEAT_FAILURE_RATE"] ?? "0");
const CODES = { REBALANCE_IN_PROGRESS: 27, UNKNOWN_MEMBER_ID: 25, ILLEGAL_GENERATION: 22 };
const injected = { commit: 0, heartbeat: 0 };
let commitCalls = 0;
/**
 * Whether this commit fails: the first of the process always does (when the rate is above 0), the
 * rest at the rate. A run that catches up quickly makes only a few commits per member, so with the
 * rate alone some runs injected none (3 runs in 11 at 0.3) and the scenario's check failed.
 */
function failCommit(): boolean {
  return commitRate > 0 && (commitCalls++ === 0 || Math.random() < commitRate);
}

const commit = ConsumerGroup.prototype["commitOffsets"]!;
ConsumerGroup.prototype["commitOffsets"] = function (this: unknown, ...args: unknown[]) {
  if (failCommit()) {
    injected.commit++;
    const codes = Object.values(CODES);
    return Promise.reject(
      new KafkaJSProtocolError(createErrorFromCode(codes[injected.commit % codes.length]!)),
    );
  }
  return commit.apply(this, args);
};
if (process.env["KAFKA_CLIENT"] === "confluent") {
  // The same module instance the sink loads (require's cache); the Consumer class is not exported,
  // so it is reached through a consumer object that is never connected.
  const { KafkaJS } = loadConfluent(process.env["KAFKA_CLIENT_MODULE"]) as {
    KafkaJS: {
      Kafka: new (c: unknown) => { consumer(c: unknown): object };
      KafkaJSError: new (m: string, p: { code: number }) => Error;
    };
  };
  const consumer = new KafkaJS.Kafka({ kafkaJS: { brokers: ["127.0.0.1:1"] } }).consumer({
    kafkaJS: { groupId: "inject" },
  });
  const proto = Object.getPrototypeOf(consumer) as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const ckCommit = proto["commitOffsets"]!;
  proto["commitOffsets"] = function (this: unknown, ...args: unknown[]) {
    if (failCommit()) {
      injected.commit++;
      const codes = Object.values(CODES);
      const code = codes[injected.commit % codes.length]!;
      return Promise.reject(new KafkaJS.KafkaJSError(`injected: commit refused (code ${code})`, { code }));
    }
    return ckCommit.apply(this, args);
  };
}
const heartbeat = ConsumerGroup.prototype["heartbeat"]!;
ConsumerGroup.prototype["heartbeat"] = function (this: unknown, ...args: unknown[]) {
  if (Math.random() < heartbeatRate) {
    injected.heartbeat++;
    return Promise.reject(new KafkaJSProtocolError(createErrorFromCode(CODES.REBALANCE_IN_PROGRESS)));
  }
  return heartbeat.apply(this, args);
};
const fatalAfter = Number(process.env["INJECT_FETCH_FATAL_AFTER"] ?? "0");
let fetches = 0;
const fetch = ConsumerGroup.prototype["fetch"]!;
ConsumerGroup.prototype["fetch"] = function (this: unknown, ...args: unknown[]) {
  if (fatalAfter > 0 && ++fetches === fatalAfter)
    return Promise.reject(new KafkaJSNonRetriableError("injected: a non-retriable broker error"));
  return fetch.apply(this, args);
};
process.on("exit", () => process.stderr.write(`{"injected":${JSON.stringify(injected)}}\n`));
