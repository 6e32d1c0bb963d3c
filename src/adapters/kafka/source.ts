// The sink's consumer loop over the KafkaConsumerClient port, whichever client library implements
// it (kafkajs-consumer.ts, confluent-consumer.ts): batches go to the processor, which returns at
// once; the group's assignment and revocation events move the processor's leases; every
// KAFKA_COMMIT_INTERVAL_MS the watermarks that moved are committed as explicit offsets.

import { errorMessage } from "../../core/errors.ts";
import type { Config } from "../../config/config.ts";
import type { Log } from "../../telemetry/log.ts";
import type { Processor } from "../../engine/processor.ts";
import type {
  Assignment,
  CommitPoint,
  ConsumerHandlers,
  KafkaConsumerClient,
  KafkaTopicMetadata,
} from "../../engine/ports.ts";
import { watchTopics, type TopicWatcher } from "./topic-watcher.ts";
import { refuseNewTopics } from "./topics.ts";

/** Telemetry's view of the consumer; the composition root passes it guarded (telemetry/guard.ts). */
export type SourceListener = {
  onCommit?(points: readonly CommitPoint[], durationMs: number): void;
  onCommitError?(points: readonly CommitPoint[], durationMs: number, err: unknown): void;
  onRebalance?(): void;
  /** A fetched batch: `highWatermark` is the partition's log end offset when it was fetched. */
  onBatch?(topic: string, partition: number, highWatermark: string, firstOffset: string | undefined): void;
};

export class KafkaSource {
  readonly #client: KafkaConsumerClient;
  readonly #metadata: KafkaTopicMetadata;
  #watcher: TopicWatcher | undefined;
  readonly #config: Config["kafka"];
  readonly #processor: Processor;
  readonly #log: Log;
  readonly #onFatal: (err: Error) => void;
  readonly #listener: SourceListener;
  #joined = false;
  #frozen = true;
  #timer: NodeJS.Timeout | undefined;
  #committing: Promise<void> | undefined;
  #assignment: Record<string, number[]> = {};
  #extraTopics: string[] = [];
  /** What the client was told to pause and not yet to resume (kafkajs keeps it across rebalances). */
  readonly #paused = new Set<string>();

  /** `metadata` lists topics for a pattern and reads new topics' cleanup.policy; closed on shutdown. */
  constructor(
    client: KafkaConsumerClient,
    metadata: KafkaTopicMetadata,
    config: Config["kafka"],
    processor: Processor,
    log: Log,
    onFatal: (err: Error) => void,
    listener: SourceListener = {},
  ) {
    this.#client = client;
    this.#metadata = metadata;
    this.#config = config;
    this.#processor = processor;
    this.#log = log;
    this.#onFatal = onFatal;
    this.#listener = listener;
  }

  /** Joined a group and not in the middle of a rebalance. */
  get ready(): boolean {
    return this.#joined && !this.#frozen;
  }

  get assignment(): Readonly<Record<string, number[]>> {
    return this.#assignment;
  }

  async start(): Promise<void> {
    const pattern = this.#config.topicPattern;
    // Listed before subscribing: a topic created in between is then both subscribed and "new" (a
    // needless check, or resubscription), never neither.
    const known = new Set(pattern === undefined ? [] : await this.#metadata.listTopics());
    await this.#run();
    this.#timer = setInterval(() => void this.commit(), this.#config.commitIntervalMs);
    if (pattern !== undefined) {
      // The watcher does not close the metadata client: shutdown() does, after the last look.
      const lister = { list: () => this.#metadata.listTopics(), close: () => Promise.resolve() };
      this.#watcher = watchTopics(lister, {
        pattern,
        known,
        exclude: new Set(this.#config.dlqTopic === undefined ? [] : [this.#config.dlqTopic]),
        intervalMs: this.#config.metadataMaxAgeMs,
        onNew: (topics) => this.#newTopics(topics),
        log: this.#log,
      });
    }
  }

  #run(): Promise<void> {
    return this.#client.run(
      {
        topics: [...this.#config.topics, ...this.#extraTopics],
        pattern: this.#config.topicPattern,
        fromBeginning: this.#config.fromBeginning,
      },
      this.#handlers(),
    );
  }

  /**
   * New topics match the pattern: refused as at start-up if compacted. A client that matches only
   * when it subscribes is made to subscribe again: commit what is durable, leave, subscribe, rejoin.
   */
  async #newTopics(topics: readonly string[]): Promise<void> {
    const refused = await refuseNewTopics(
      this.#metadata,
      topics,
      this.#config.allowCompactedTopics,
      this.#log,
    );
    if (refused !== undefined) return this.#onFatal(refused);
    if (this.#client.followsPattern) return;
    await this.#committing;
    await this.#commitOnce();
    this.#frozen = true;
    await this.#client.stop();
    this.#processor.revokeAll();
    this.#extraTopics = [...this.#extraTopics, ...topics];
    await this.#run();
  }

  #handlers(): ConsumerHandlers {
    return {
      batch: (batch) => {
        // Returns at once: the processor owns the records now, and the commit is the watermark's.
        this.#listener.onBatch?.(batch.topic, batch.partition, batch.highWatermark, batch.records[0]?.offset);
        this.#processor.enqueue(batch.topic, batch.partition, batch.records);
      },
      revokedAll: () => {
        this.#frozen = true;
        this.#processor.revokeAll();
        this.#listener.onRebalance?.();
      },
      assigned: (assignment, memberId) => {
        this.#assignment = copy(assignment);
        this.#processor.assign(assignment);
        this.#joinedAs(memberId);
      },
      added: (added, memberId) => {
        this.#assignment = merge(this.#assignment, added, +1);
        this.#processor.addPartitions(added);
        this.#listener.onRebalance?.();
        this.#joinedAs(memberId);
      },
      revoked: (revoked) => {
        this.#assignment = merge(this.#assignment, revoked, -1);
        this.#processor.revokePartitions(revoked);
        this.#listener.onRebalance?.();
      },
      failed: (err) => {
        this.#joined = false;
        this.#onFatal(err);
      },
    };
  }

  #joinedAs(memberId: string): void {
    this.#joined = true;
    this.#frozen = false;
    this.#log.info({ memberId, assignment: this.#assignment }, "joined the consumer group");
  }

  pause(topic: string, partition: number): void {
    this.#paused.add(`${topic}/${partition}`);
    this.#client.pause(topic, [partition]);
  }
  resume(topic: string, partition: number): void {
    this.#paused.delete(`${topic}/${partition}`);
    this.#client.resume(topic, [partition]);
  }

  /** `topic/partition` of each partition the client was told to pause and not to resume since. */
  pausedAtClient(): string[] {
    return [...this.#paused].sort();
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
      await this.#client.commit(points);
      this.#processor.markCommitted(points);
      this.#listener.onCommit?.(points, Date.now() - started);
    } catch (err) {
      this.#listener.onCommitError?.(points, Date.now() - started, err);
      const msg = errorMessage(err);
      if (this.#client.isRebalanceError(err))
        this.#log.debug({ err: msg }, "commit refused during a rebalance; redone after rejoining");
      else this.#log.warn({ err: msg }, "offset commit failed; will retry");
    }
  }

  /** Final commit while still a member (a stopped client commits nothing), then leave the group. */
  async shutdown(): Promise<void> {
    await this.#watcher?.stop();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#committing;
    await this.#commitOnce();
    await this.#client.disconnect();
    await this.#metadata.close();
  }

  /** Stops without committing anything more (fatal path: what is durable was committed already). */
  async abort(): Promise<void> {
    await this.#watcher?.stop();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#client.disconnect().catch(() => undefined);
    await this.#metadata.close();
  }

  pauseAll(): void {
    if (this.#client.quiesce !== undefined) {
      for (const [topic, partitions] of Object.entries(this.#assignment))
        for (const p of partitions) this.#paused.add(`${topic}/${p}`);
      this.#client.quiesce();
      return;
    }
    for (const [topic, partitions] of Object.entries(this.#assignment)) {
      for (const p of partitions) this.#paused.add(`${topic}/${p}`);
      if (partitions.length > 0) this.#client.pause(topic, partitions);
    }
  }
}

const copy = (a: Assignment): Record<string, number[]> =>
  Object.fromEntries(Object.entries(a).map(([t, ps]) => [t, [...ps]]));

/** The assignment with `change`'s partitions added (+1) or removed (-1). */
function merge(held: Assignment, change: Assignment, sign: 1 | -1): Record<string, number[]> {
  const out = copy(held);
  for (const [topic, partitions] of Object.entries(change)) {
    const set = new Set(out[topic] ?? []);
    for (const p of partitions)
      if (sign > 0) set.add(p);
      else set.delete(p);
    if (set.size === 0) delete out[topic];
    else out[topic] = [...set].sort((a, b) => a - b);
  }
  return out;
}
