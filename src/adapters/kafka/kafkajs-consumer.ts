// The kafkajs adapter of the engine's KafkaConsumerClient port. autoCommit is off: the offsets come
// from the processor's watermarks (kafkajs's commitOffsetsIfNecessary() with no argument commits
// nothing when autoCommit is off). kafkajs's protocol is eager: a member learns of revocation from
// the group events (REBALANCING, GROUP_JOIN with the whole new assignment); kafkajs's isStale()
// does not turn true on a rebalance.

import type { Consumer, Kafka } from "kafkajs";
import { errorMessage } from "../../core/errors.ts";
import type { KafkaRecord } from "../../core/types.ts";
import type { Config } from "../../config/config.ts";
import type { CommitPoint, ConsumerHandlers, KafkaConsumerClient, Subscription } from "../../engine/ports.ts";
import type { Log } from "../../telemetry/log.ts";
import { fetchOptions } from "./client.ts";
import { installCommitGuard } from "./commit-guard.ts";
import { CommitNotConfirmed, unconfirmed } from "./commit-confirm.ts";
import { consumerCrash, isPermanentKafkaError, isRebalanceError } from "./errors.ts";

const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 10 * 60_000;

export class KafkajsConsumer implements KafkaConsumerClient {
  readonly followsPattern = false;
  readonly #consumer: Consumer;
  readonly #log: Log;
  readonly #restarts: number[] = [];
  #handlers: ConsumerHandlers | undefined;
  #connected = false;
  /** `topic/partition` → the offset of the last commit the coordinator accepted (COMMIT_OFFSETS). */
  readonly #accepted = new Map<string, string>();

  constructor(kafka: Kafka, config: Config["kafka"], log: Log) {
    this.#log = log;
    installCommitGuard();
    this.#consumer = kafka.consumer({
      groupId: config.groupId,
      sessionTimeout: config.sessionTimeoutMs,
      heartbeatInterval: config.heartbeatIntervalMs,
      metadataMaxAge: config.metadataMaxAgeMs,
      allowAutoTopicCreation: false,
      ...fetchOptions(config),
      retry: {
        retries: 8,
        initialRetryTime: 300,
        maxRetryTime: 10_000,
        restartOnFailure: (err) => Promise.resolve(this.#mayRestart(err)),
      },
    });
    this.#wireEvents();
  }

  async run(subscription: Subscription, handlers: ConsumerHandlers): Promise<void> {
    this.#handlers = handlers;
    if (!this.#connected) {
      await this.#consumer.connect();
      this.#connected = true;
    }
    // kafkajs matches a RegExp only here, against the topics that exist now (the source's topic
    // watcher subscribes again when new ones appear).
    const topics: (string | RegExp)[] = [...subscription.topics];
    if (subscription.pattern !== undefined) topics.push(subscription.pattern);
    await this.#consumer.subscribe({ topics, fromBeginning: subscription.fromBeginning });
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch }) => {
        handlers.batch({
          topic: batch.topic,
          partition: batch.partition,
          highWatermark: batch.highWatermark,
          records: batch.messages.map((m) => toRecord(batch.topic, batch.partition, m)),
        });
        return Promise.resolve();
      },
    });
  }

  stop(): Promise<void> {
    return this.#consumer.stop();
  }

  pause(topic: string, partitions: readonly number[]): void {
    this.#flow(() => this.#consumer.pause([{ topic, partitions: [...partitions] }]));
  }
  resume(topic: string, partitions: readonly number[]): void {
    this.#flow(() => this.#consumer.resume([{ topic, partitions: [...partitions] }]));
  }

  /** kafkajs throws on pause/resume while its group is down (after a crash, before a restart): moot then. */
  #flow(action: () => void): void {
    try {
      action();
    } catch (err) {
      this.#log.debug({ err: errorMessage(err) }, "pause/resume skipped: the consumer is not running");
    }
  }

  /** Resolves only for a commit the coordinator accepted (commit-confirm.ts says why). */
  async commit(points: readonly CommitPoint[]): Promise<void> {
    for (const p of points) this.#accepted.delete(`${p.topic}/${p.partition}`);
    await this.#consumer.commitOffsets([...points]);
    const missing = unconfirmed(points, this.#accepted);
    if (missing.length > 0) throw new CommitNotConfirmed(missing);
  }

  isRebalanceError(err: unknown): boolean {
    return isRebalanceError(err);
  }

  disconnect(): Promise<void> {
    return this.#consumer.disconnect();
  }

  #mayRestart(err: Error): boolean {
    // A permanent error fails the same way again: exit (6) and let the orchestrator decide. A broker
    // that stayed down past the retry budget is not permanent (kafkajs still calls it
    // non-retriable): restart, within the restart budget.
    if (isPermanentKafkaError(err)) {
      this.#log.error({ err: errorMessage(err) }, "kafka consumer failed with a non-retriable error");
      return false;
    }
    const now = Date.now();
    while (this.#restarts.length > 0 && now - this.#restarts[0]! > RESTART_WINDOW_MS) this.#restarts.shift();
    this.#restarts.push(now);
    const restart = this.#restarts.length <= MAX_RESTARTS;
    this.#log.error(
      { err: errorMessage(err), restart, restartsInWindow: this.#restarts.length },
      "kafka consumer crashed",
    );
    return restart;
  }

  #wireEvents(): void {
    const e = this.#consumer.events;
    // Emitted by kafkajs's OffsetManager after the coordinator's OffsetCommit reply, before
    // commitOffsets resolves (offsetManager/index.js:264-265).
    this.#consumer.on(e.COMMIT_OFFSETS, ({ payload }) => {
      for (const t of payload.topics)
        for (const p of t.partitions) this.#accepted.set(`${t.topic}/${p.partition}`, String(p.offset));
    });
    this.#consumer.on(e.REBALANCING, () => this.#handlers?.revokedAll());
    this.#consumer.on(e.GROUP_JOIN, ({ payload }) =>
      this.#handlers?.assigned(payload.memberAssignment, payload.memberId),
    );
    this.#consumer.on(e.CRASH, ({ payload }) => {
      if (!payload.restart) this.#handlers?.failed(consumerCrash(payload.error));
      else this.#handlers?.revokedAll();
    });
  }
}

type KafkaMessage = {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, unknown>;
  timestamp: string;
};

/** A kafkajs message as the engine's record: a header's first value as UTF-8 text. */
export function toRecord(topic: string, partition: number, m: KafkaMessage): KafkaRecord {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    const first: unknown = Array.isArray(v) ? (v as unknown[])[0] : v;
    headers[k] = Buffer.isBuffer(first)
      ? first.toString("utf8")
      : typeof first === "string"
        ? first
        : undefined;
  }
  return { topic, partition, offset: m.offset, key: m.key, value: m.value, headers, timestamp: m.timestamp };
}
