// Start-up checks of the Kafka side: every named topic and the DLQ topic must exist (topics are
// never auto-created: a typo would otherwise create an empty topic and consume nothing forever),
// and the DLQ topic must not be one the sink consumes (it would consume its own dead letters).

import type { Kafka } from "kafkajs";
import { ExitCode, FatalError } from "../../core/errors.ts";
import type { Config } from "../../config/config.ts";
import { KafkaErrorCode, kafkaConnectFailure } from "./errors.ts";
import { statelessPattern } from "./topic-watcher.ts";

/**
 * The DLQ topic among the consumed ones: each dead letter (a copy of a poison record, with its
 * value) would come back, be poison again and be dead-lettered again, forever. Bad configuration.
 */
export function dlqConsumedError(config: Config["kafka"]): FatalError | undefined {
  const dlq = config.dlqTopic;
  if (dlq === undefined) return undefined;
  const fix = "choose a DLQ_TOPIC the sink does not consume";
  const refuse = (why: string): FatalError =>
    new FatalError(
      KafkaErrorCode.dlqConsumed,
      `DLQ_TOPIC ${dlq} ${why}: the sink would consume its own dead letters; ${fix}`,
      ExitCode.badConfig,
    );
  if (config.topics.includes(dlq)) return refuse("is listed in KAFKA_TOPICS");
  const pattern = config.topicPattern;
  if (pattern !== undefined && statelessPattern(pattern).test(dlq))
    return refuse(`matches KAFKA_TOPIC_PATTERN ${pattern.source} (or narrow the pattern)`);
  return undefined;
}

/**
 * `kafka` should be a client with few retries (createKafka's `quick`): a broker that is down fails
 * start-up in seconds.
 */
export async function checkTopics(kafka: Kafka, config: Config["kafka"]): Promise<void> {
  const conflict = dlqConsumedError(config);
  if (conflict !== undefined) throw conflict;
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const wanted = [...config.topics, ...(config.dlqTopic === undefined ? [] : [config.dlqTopic])];
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      throw new FatalError(
        KafkaErrorCode.topicMissing,
        `Kafka topic(s) ${missing.join(", ")} do not exist on ${config.brokers.join(",")}; ` +
          "create them first (topics are never auto-created)",
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
