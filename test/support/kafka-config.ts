// A consumer's Kafka configuration built without the environment, for unit tests of the Kafka
// adapters and the benches that drive them (bench/arms.ts, bench/clients/member.ts): the settings the
// sink's defaults had when these were written, each caller's own on top. commitIntervalMs is 500
// here while KAFKA_COMMIT_INTERVAL_MS now defaults to 200 (env-spec.ts): the benches' figures were
// measured at 500, so it stays.

import type { Config } from "../../src/config/config.ts";

export function kafkaConfig(over: Partial<Config["kafka"]> = {}): Config["kafka"] {
  return {
    brokers: ["b:9092"],
    clientId: "c",
    groupId: "g",
    topics: [],
    topicPattern: undefined,
    fromBeginning: true,
    sessionTimeoutMs: 30_000,
    heartbeatIntervalMs: 3_000,
    metadataMaxAgeMs: 30_000,
    commitIntervalMs: 500,
    fetchMaxBytes: 2_097_152,
    tls: undefined,
    sasl: undefined,
    dlqTopic: undefined,
    allowCompactedTopics: false,
    client: "kafkajs",
    groupProtocol: "classic",
    clientModule: undefined,
    ...over,
  };
}
