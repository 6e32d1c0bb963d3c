// Start-up checks of the Kafka side: every named topic and the DLQ topic must exist (topics are
// never auto-created: a typo would otherwise create an empty topic and consume nothing forever),
// and the DLQ topic must not be one the sink consumes (it would consume its own dead letters).

import { ExitCode, FatalError, errorMessage } from "../../core/errors.ts";
import type { KafkaTopicMetadata } from "../../engine/ports.ts";
import type { Config } from "../../config/config.ts";
import { KafkaErrorCode, kafkaConnectFailure } from "./errors.ts";
import { statelessPattern } from "./topic-watcher.ts";
import type { Log } from "../../telemetry/log.ts";

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
 * `metadata` should come from a client with few retries (createKafka's `quick`): a broker that is
 * down fails start-up in seconds. It is closed here.
 */
export async function checkTopics(
  metadata: KafkaTopicMetadata,
  config: Config["kafka"],
  log?: Log,
): Promise<void> {
  const conflict = dlqConsumedError(config);
  if (conflict !== undefined) throw conflict;
  try {
    const existing = new Set(await metadata.listTopics());
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
    const consumed = consumedTopics(config, [...existing]);
    await checkCompaction(metadata, consumed, config.allowCompactedTopics, log);
  } catch (err) {
    if (err instanceof FatalError) throw err;
    throw kafkaConnectFailure(err, config.brokers);
  } finally {
    await metadata.close().catch(() => undefined);
  }
}

/** The topics the consumer subscribes to: the named ones and, at this moment, the pattern's matches. */
export function consumedTopics(config: Config["kafka"], existing: readonly string[]): string[] {
  const pattern = config.topicPattern === undefined ? undefined : statelessPattern(config.topicPattern);
  const matched =
    pattern === undefined ? [] : existing.filter((t) => pattern.test(t) && t !== config.dlqTopic);
  return [...new Set([...config.topics, ...matched])].sort();
}

/**
 * Refuses compacted topics (cleanup.policy `compact`, or `compact,delete`) unless `allowed`. The
 * log cleaner removes a key's older records once a newer one exists, and Debezium follows every
 * delete event (`op: d`) with a null-value tombstone of the same key (tombstones.on.delete,
 * default true): after compaction only the tombstone is left, which carries no version and which
 * the sink skips, so a sink that lagged behind the cleaner keeps the deleted row. Topics created
 * later for a pattern are checked the same way (source.ts).
 */
export async function checkCompaction(
  metadata: KafkaTopicMetadata,
  topics: readonly string[],
  allowed: boolean,
  log?: Log,
): Promise<void> {
  if (topics.length === 0) return;
  let compacted: Map<string, string>;
  try {
    compacted = compactedOf(await metadata.cleanupPolicies(topics));
  } catch (err) {
    if (allowed) return log?.warn({ err: errorMessage(err) }, "cannot read the topics' cleanup.policy");
    throw new FatalError(
      KafkaErrorCode.topicConfigUnreadable,
      `cannot read cleanup.policy of ${topics.join(", ")} (DescribeConfigs): ${errorMessage(err)}; ` +
        "allow the sink to describe the topics' configuration, or set ALLOW_COMPACTED_TOPICS=true",
      ExitCode.fatal,
      { cause: err },
    );
  }
  if (compacted.size === 0) return;
  const named = [...compacted].map(([t, policy]) => `${t} (cleanup.policy=${policy})`).join(", ");
  if (allowed) {
    log?.warn(
      { topics: [...compacted.keys()] },
      `consuming compacted topic(s) ${named}: ALLOW_COMPACTED_TOPICS`,
    );
    return;
  }
  throw new FatalError(
    KafkaErrorCode.compactedTopic,
    `compacted topic(s) ${named}: compaction removes delete events once their tombstone follows, ` +
      "so a lagging sink would keep deleted rows. Use cleanup.policy=delete, or accept that risk " +
      "with ALLOW_COMPACTED_TOPICS=true",
    ExitCode.fatal,
  );
}

/** The compacted topics among `policies` (topic → cleanup.policy), sorted by name. */
function compactedOf(policies: ReadonlyMap<string, string>): Map<string, string> {
  const compacted = [...policies].filter(([, policy]) =>
    policy.split(",").some((p) => p.trim() === "compact"),
  );
  return new Map(compacted.sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Topics that appeared for KAFKA_TOPIC_PATTERN, checked as at start-up before they are subscribed:
 * the refusal to return (the service stops, exit 3), or undefined. Throws when the configuration
 * cannot be read, so the topic watcher tries again at its next look.
 */
export async function refuseNewTopics(
  metadata: KafkaTopicMetadata,
  topics: readonly string[],
  allowed: boolean,
  log: Log,
): Promise<FatalError | undefined> {
  try {
    await checkCompaction(metadata, topics, allowed, log);
    return undefined;
  } catch (err) {
    if (err instanceof FatalError && err.code === KafkaErrorCode.compactedTopic) return err;
    throw err;
  }
}
