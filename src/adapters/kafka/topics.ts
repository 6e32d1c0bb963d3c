// Start-up checks of the Kafka side: every named topic and the DLQ topic must exist (topics are
// never auto-created: a typo would otherwise create an empty topic and consume nothing forever).

import type { Kafka } from "kafkajs";
import { ExitCode, FatalError } from "../../core/errors.ts";
import type { Config } from "../../config/config.ts";
import { kafkaConnectFailure } from "./errors.ts";

/** `kafka` should be a client with few retries (createKafka's `quick`): a broker that is down fails start-up in seconds. */
export async function checkTopics(kafka: Kafka, config: Config["kafka"]): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const wanted = [...config.topics, ...(config.dlqTopic === undefined ? [] : [config.dlqTopic])];
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      throw new FatalError(
        "topic_missing",
        `Kafka topic(s) ${missing.join(", ")} do not exist on ${config.brokers.join(",")}; create them first (topics are never auto-created)`,
        ExitCode.fatal,
      );
    }
  } catch (err) {
    if (err instanceof FatalError) throw err;
    throw kafkaConnectFailure(err, config.brokers);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
