// The kafkajs consumer adapter. autoCommit is off: offsets are committed here, explicitly, from the
// processor's watermarks (kafkajs's commitOffsetsIfNecessary() with no argument commits nothing
// when autoCommit is off). A member learns of revocation from the group events (REBALANCING,
// GROUP_JOIN); kafkajs's isStale() does not turn true on a rebalance.

import type { Consumer, Kafka } from "kafkajs";
import { errorMessage } from "../../core/errors.ts";
import type { Config } from "../../config/config.ts";
import type { KafkaRecord } from "../../core/types.ts";
import type { Log } from "../../telemetry/log.ts";
import type { Processor } from "../../engine/processor.ts";
import type { CommitPoint } from "../../engine/ports.ts";
import { topicLister, watchTopics, type TopicWatcher } from "./topic-watcher.ts";
import { fetchOptions } from "./client.ts";
import { refuseNewTopics } from "./topics.ts";
import { installCommitGuard } from "./commit-guard.ts";
import { consumerCrash, isPermanentKafkaError, isRebalanceError } from "./errors.ts";

const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 10 * 60_000;

/** Telemetry's view of the consumer; the composition root passes it guarded (telemetry/guard.ts). */
export type SourceListener = {
  onCommit?(points: readonly CommitPoint[], durationMs: number): void;
  onCommitError?(points: readonly CommitPoint[], durationMs: number, err: unknown): void;
  onRebalance?(): void;
  /** A fetched batch: `highWatermark` is the partition's log end offset when it was fetched. */
  onBatch?(topic: string, partition: number, highWatermark: string, firstOffset: string | undefined): void;
};

export class KafkaSource {
  readonly #consumer: Consumer;
  readonly #kafka: Kafka;
  #watcher: TopicWatcher | undefined;
  readonly #config: Config["kafka"];
  readonly #processor: Processor;
  readonly #log: Log;
  readonly #onFatal: (err: Error) => void;
  readonly #listener: SourceListener;
  readonly #restarts: number[] = [];
  #joined = false;
  #frozen = true;
  #timer: NodeJS.Timeout | undefined;
  #committing: Promise<void> | undefined;
  #assignment: Record<string, number[]> = {};

  constructor(
    kafka: Kafka,
    config: Config["kafka"],
    processor: Processor,
    log: Log,
    onFatal: (err: Error) => void,
    listener: SourceListener = {},
  ) {
    this.#kafka = kafka;
    this.#config = config;
    this.#processor = processor;
    this.#log = log;
    this.#onFatal = onFatal;
    this.#listener = listener;
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

  /** Joined a group and not in the middle of a rebalance. */
  get ready(): boolean {
    return this.#joined && !this.#frozen;
  }

  get assignment(): Readonly<Record<string, number[]>> {
    return this.#assignment;
  }

  async start(): Promise<void> {
    await this.#consumer.connect();
    const pattern = this.#config.topicPattern;
    // Listed before subscribing: a topic created in between is then both subscribed and "new" (a
    // needless resubscription), never neither.
    const lister = pattern === undefined ? undefined : topicLister(this.#kafka);
    const known = new Set(lister === undefined ? [] : await lister.list());
    await this.#subscribe([]);
    await this.#run();
    this.#timer = setInterval(() => void this.commit(), this.#config.commitIntervalMs);
    if (pattern !== undefined && lister !== undefined) {
      this.#watcher = watchTopics(lister, {
        pattern,
        known,
        exclude: new Set(this.#config.dlqTopic === undefined ? [] : [this.#config.dlqTopic]),
        intervalMs: this.#config.metadataMaxAgeMs,
        onNew: (topics) => this.#resubscribe(topics),
        log: this.#log,
      });
    }
  }

  async #subscribe(extra: readonly string[]): Promise<void> {
    const topics: (string | RegExp)[] = [...this.#config.topics, ...extra];
    if (this.#config.topicPattern !== undefined) topics.push(this.#config.topicPattern);
    await this.#consumer.subscribe({ topics, fromBeginning: this.#config.fromBeginning });
  }

  /** New topics match the pattern: commit what is durable, leave, subscribe again, rejoin. */
  async #resubscribe(topics: readonly string[]): Promise<void> {
    const refused = await refuseNewTopics(this.#kafka, topics, this.#config.allowCompactedTopics, this.#log);
    if (refused !== undefined) return this.#onFatal(refused);
    await this.#committing;
    await this.#commitOnce();
    this.#frozen = true;
    await this.#consumer.stop();
    this.#processor.revokeAll();
    await this.#subscribe(topics);
    await this.#run();
  }

  async #run(): Promise<void> {
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch }) => {
        // Returns at once: the processor owns the records now, and the commit is the watermark's.
        this.#listener.onBatch?.(
          batch.topic,
          batch.partition,
          batch.highWatermark,
          batch.messages[0]?.offset,
        );
        this.#processor.enqueue(
          batch.topic,
          batch.partition,
          batch.messages.map((m) => toRecord(batch.topic, batch.partition, m)),
        );
        return Promise.resolve();
      },
    });
  }

  pause(topic: string, partition: number): void {
    this.#flow(() => this.#consumer.pause([{ topic, partitions: [partition] }]));
  }
  resume(topic: string, partition: number): void {
    this.#flow(() => this.#consumer.resume([{ topic, partitions: [partition] }]));
  }

  /** kafkajs throws on pause/resume while its group is down (after a crash, before a restart): moot then. */
  #flow(action: () => void): void {
    try {
      action();
    } catch (err) {
      this.#log.debug({ err: errorMessage(err) }, "pause/resume skipped: the consumer is not running");
    }
  }

  /** Commits every watermark that moved. Never throws: a failed commit is redone next time. */
  commit(): Promise<void> {
    this.#committing ??= this.#commitOnce().finally(() => (this.#committing = undefined));
    return this.#committing;
  }

  async #commitOnce(): Promise<void> {
    if (this.#frozen) return;
    const points = this.#processor.commitPoints();
    if (points.length === 0) return;
    const started = Date.now();
    try {
      await this.#consumer.commitOffsets(points);
      this.#processor.markCommitted(points);
      this.#listener.onCommit?.(points, Date.now() - started);
    } catch (err) {
      this.#listener.onCommitError?.(points, Date.now() - started, err);
      const msg = errorMessage(err);
      if (isRebalanceError(err))
        this.#log.debug({ err: msg }, "commit refused during a rebalance; redone after rejoining");
      else this.#log.warn({ err: msg }, "offset commit failed; will retry");
    }
  }

  /** Final commit while still a member (kafkajs ignores commits once stopped), then leave the group. */
  async shutdown(): Promise<void> {
    await this.#watcher?.stop();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#committing;
    await this.#commitOnce();
    await this.#consumer.disconnect();
  }

  /** Stops without committing anything more (fatal path: what is durable was committed already). */
  async abort(): Promise<void> {
    await this.#watcher?.stop();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#consumer.disconnect().catch(() => undefined);
  }

  pauseAll(): void {
    const all = Object.entries(this.#assignment).map(([topic, partitions]) => ({ topic, partitions }));
    if (all.length > 0) this.#flow(() => this.#consumer.pause(all));
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
    this.#consumer.on(e.REBALANCING, () => {
      this.#frozen = true;
      this.#processor.revokeAll();
      this.#listener.onRebalance?.();
    });
    this.#consumer.on(e.GROUP_JOIN, ({ payload }) => {
      this.#assignment = payload.memberAssignment;
      this.#processor.assign(payload.memberAssignment);
      this.#joined = true;
      this.#frozen = false;
      this.#log.info(
        { memberId: payload.memberId, assignment: payload.memberAssignment },
        "joined the consumer group",
      );
    });
    this.#consumer.on(e.CRASH, ({ payload }) => {
      if (!payload.restart) {
        this.#joined = false;
        this.#onFatal(consumerCrash(payload.error));
      } else {
        this.#frozen = true;
        this.#processor.revokeAll();
      }
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

function toRecord(topic: string, partition: number, m: KafkaMessage): KafkaRecord {
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
