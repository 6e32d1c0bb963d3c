// The @confluentinc/kafka-javascript adapter of the engine's Kafka ports (KAFKA_CLIENT=confluent):
// librdkafka behind a KafkaJS-compatible API. What differs from kafkajs, from the package's
// MIGRATION.md and lib/kafkajs sources (1.10.1):
// - TLS files and other librdkafka settings go outside the `kafkaJS` block (ssl.ca.pem, ...);
// - rebalances arrive in `rebalance_cb` (ERR__ASSIGN_PARTITIONS -175, ERR__REVOKE_PARTITIONS -174).
//   The classic protocol with librdkafka's default assignors is eager (everything revoked, then a
//   whole new assignment); KIP-848's `group.protocol=consumer` is incremental, and the partitions
//   kept are fetched on from where they were, so their leases must survive (ports.ts `added`);
// - a regex subscription is librdkafka's own, re-evaluated on metadata refreshes: topics created
//   later are subscribed without a rejoin (`followsPattern`); it must start with `^`;
// - librdkafka reconnects and retries by itself; there is no consumer crash event;
// - its admin client has no describeConfigs: topic metadata goes through kafkajs (clients below).

import { errorMessage } from "../../core/errors.ts";
import type { Config } from "../../config/config.ts";
import type {
  Assignment,
  CommitPoint,
  ConsumerHandlers,
  KafkaConsumerClient,
  Subscription,
} from "../../engine/ports.ts";
import type { Log } from "../../telemetry/log.ts";
import type { KafkaClients } from "./clients.ts";
import { loadConfluent } from "./confluent-module.ts";
import { confluentProducer } from "./confluent-producer.ts";
import type { CkConsumer, CkKafka, CkModule } from "./confluent-types.ts";
import { common, librdkafkaPattern, prefetchQueue } from "./confluent-options.ts";
import { Positions } from "./confluent-positions.ts";
import { isRebalanceError } from "./errors.ts";
import { CommitNotConfirmed, unconfirmed } from "./commit-confirm.ts";
import { createKafka, fetchOptions } from "./client.ts";
import { kafkajsTopicMetadata } from "./kafkajs-metadata.ts";
import { toRecord } from "./kafkajs-consumer.ts";

type TopicPartition = { topic: string; partition: number };

const ASSIGN = -175;
const REVOKE = -174;
// Kafka protocol errors a commit meets while the group changes generation (classic: 16, 22, 25, 27;
// KIP-848: FENCED_MEMBER_EPOCH 110, STALE_MEMBER_EPOCH 113).
const REBALANCE_CODES = new Set([16, 22, 25, 27, 110, 113]);

/**
 * How long the read-back of a commit may wait for the coordinator (librdkafka's committed() timeout):
 * a broker that is away fails it, and the next periodic commit tries again.
 */
const COMMIT_CONFIRM_TIMEOUT_MS = 10_000;
const keyOf = (topic: string, partition: number): string => `${partition}@${topic}`;

const byTopic = (tps: readonly TopicPartition[]): Assignment => {
  const out: Record<string, number[]> = {};
  for (const { topic, partition } of tps) (out[topic] ??= []).push(partition);
  return out;
};

class ConfluentConsumer implements KafkaConsumerClient {
  readonly followsPattern = true;
  readonly #kafka: CkKafka;
  readonly #config: Config["kafka"];
  readonly #log: Log;
  #consumer: CkConsumer | undefined;
  #handlers: ConsumerHandlers | undefined;
  readonly #positions = new Positions();
  /** On the way out (quiesce): nothing more is handed over or paused. */
  #quiet = false;

  constructor(kafka: CkKafka, config: Config["kafka"], log: Log) {
    this.#kafka = kafka;
    this.#config = config;
    this.#log = log;
  }

  async run(subscription: Subscription, handlers: ConsumerHandlers): Promise<void> {
    this.#handlers = handlers;
    this.#quiet = false;
    const incremental = this.#config.groupProtocol === "consumer";
    const fetch = fetchOptions(this.#config);
    const consumer = this.#kafka.consumer({
      kafkaJS: {
        groupId: this.#config.groupId,
        fromBeginning: subscription.fromBeginning,
        autoCommit: false,
        allowAutoTopicCreation: false,
        maxWaitTimeInMs: fetch.maxWaitTimeInMs,
        maxBytes: fetch.maxBytes,
        maxBytesPerPartition: fetch.maxBytesPerPartition,
        // KIP-848 moves the session and heartbeat to the broker; librdkafka refuses them there.
        ...(incremental
          ? {}
          : {
              sessionTimeout: this.#config.sessionTimeoutMs,
              heartbeatInterval: this.#config.heartbeatIntervalMs,
            }),
      },
      "group.protocol": this.#config.groupProtocol,
      "topic.metadata.refresh.interval.ms": this.#config.metadataMaxAgeMs,
      "js.consumer.max.batch.size": 500,
      ...prefetchQueue(fetch.maxBytes),
      rebalance_cb: (err: { code?: number }, assignment: TopicPartition[]) =>
        this.#rebalance(err.code, assignment, incremental),
    });
    await consumer.connect();
    this.#consumer = consumer;
    const topics: (string | RegExp)[] = [...subscription.topics];
    if (subscription.pattern !== undefined) topics.push(librdkafkaPattern(subscription.pattern));
    await consumer.subscribe({ topics });
    await consumer.run({
      partitionsConsumedConcurrently: 1,
      // Resolved here, before the engine sees the batch: a pause from inside the engine's handler
      // would otherwise make the package drop the batch's resolution and seek back to its first
      // offset (#batchProcessor), handing the same records over twice.
      eachBatchAutoResolve: false,
      eachBatch: ({ batch, resolveOffset }) => {
        const first = batch.messages[0];
        const last = batch.messages.at(-1);
        if (first === undefined || last === undefined) return Promise.resolve();
        if (this.#quiet) {
          resolveOffset(last.offset); // dropped, never committed: read again by the next holder
          return Promise.resolve();
        }
        const verdict = this.#positions.batch(
          keyOf(batch.topic, batch.partition),
          BigInt(first.offset),
          BigInt(last.offset),
        );
        if (!verdict.hand) {
          // Stopping: resolved so the package seeks nothing after the disconnect (it would throw);
          // never committed, it is read again by the partition's next holder.
          if (this.#consumer === undefined) resolveOffset(last.offset);
          else if (verdict.pauseAt !== undefined)
            this.#pauseAt(batch.topic, batch.partition, verdict.pauseAt);
          return Promise.resolve();
        }
        resolveOffset(last.offset);
        handlers.batch({
          topic: batch.topic,
          partition: batch.partition,
          highWatermark: batch.highWatermark ?? "-1",
          records: batch.messages.map((m) => toRecord(batch.topic, batch.partition, m)),
        });
        return Promise.resolve();
      },
    });
  }

  /**
   * Pauses one partition at `offset`, the next one it must read (confluent-positions.ts says why):
   * a seek there first, then the pause, both run as the package's pending operations, in order. The
   * seek drops the package's remembered offset, so its pause seeks nothing, and librdkafka resumes
   * at `offset`.
   */
  #pauseAt(topic: string, partition: number, offset: bigint): void {
    const consumer = this.#consumer;
    if (consumer === undefined) return; // stopping: nothing past it is committed; read again later
    this.#flow(() => {
      consumer.seek({ topic, partition, offset: offset.toString() });
      consumer.pause([{ topic, partitions: [partition] }]);
    });
  }

  #rebalance(code: number | undefined, assignment: TopicPartition[], incremental: boolean): void {
    const h = this.#handlers;
    if (h === undefined) return;
    const change = byTopic(assignment);
    if (code === ASSIGN) {
      // librdkafka keeps an application pause across a rebalance (rdkafka_assignment.c lifts only
      // its own RD_KAFKA_TOPPAR_F_LIB_PAUSE on assign; F_APP_PAUSE goes only by a resume), and the
      // package keeps its pause list too, while the engine starts every assigned partition unpaused:
      // a partition paused before an eager revoke and given back would never fetch again. The
      // package queues the resume and runs it after this callback's assign, ahead of any pause the
      // engine asks for from now on, so it cannot undo one.
      for (const [topic, partitions] of Object.entries(change)) this.resume(topic, partitions);
      if (incremental) h.added(change, "");
      else h.assigned(change, "");
    } else if (code === REVOKE) {
      this.#forget(assignment);
      if (incremental) h.revoked(change);
      else h.revokedAll();
    } else {
      this.#log.warn({ code }, "unexpected rebalance event");
    }
  }

  /**
   * The package remembers the last offset it handed out per partition (#lastConsumedOffsets) and
   * keeps it across a revoke; a pause seeks to that offset + 1 (#pauseInternal). So a partition
   * given back and paused before its first batch was sought past the records handed out but never
   * committed, which no one would then read (upstream issue #404: the map is never cleaned on a
   * rebalance). Only a seek of an assigned partition drops the entry (#seekInternal), so each revoked
   * partition is sought here: the seek runs as a pending operation queued before the package's own
   * unassign (this callback runs first), while the partition is still assigned. Its offset matters
   * only if the seek comes too late and is kept for the next assignment (#pendingSeeks): then it is
   * where this member knows the group stands, the first offset it read or its last acknowledged commit.
   */
  #forget(revoked: readonly TopicPartition[]): void {
    const consumer = this.#consumer;
    for (const { topic, partition } of revoked) {
      const from = this.#positions.forget(keyOf(topic, partition));
      // Not while stopping (#consumer is cleared first): a seek queued by a disconnect would run
      // after it and throw "Assignment can only be called while connected".
      if (from === undefined || consumer === undefined) continue;
      try {
        consumer.seek({ topic, partition, offset: from.toString() });
      } catch (err) {
        this.#log.debug({ err: errorMessage(err), topic, partition }, "seek on revoke skipped");
      }
    }
  }

  async stop(): Promise<void> {
    // The package has no stop(): leaving the group means disconnecting; run() makes a new consumer.
    const consumer = this.#consumer;
    this.#consumer = undefined;
    await consumer?.disconnect();
  }

  /**
   * On the way out the package is not paused: a pause runs later as the package's pending operation
   * and, if the disconnect has begun by then, librdkafka refuses it ("Local: Erroneous state") and
   * the error escapes the package's loop (the process hung instead of exiting 3 when the table was
   * deleted). Batches that still come are dropped instead.
   */
  quiesce(): void {
    this.#quiet = true;
  }

  /**
   * A partition with a batch handed out in this assignment pauses now, at the offset after that
   * batch (#pauseAt). One without is paused when its first batch comes, at that batch's first
   * offset: only then is its position known without asking the broker.
   */
  pause(topic: string, partitions: readonly number[]): void {
    if (this.#quiet) return;
    for (const p of partitions) {
      const at = this.#positions.pause(keyOf(topic, p));
      if (at !== undefined) this.#pauseAt(topic, p, at);
    }
  }
  resume(topic: string, partitions: readonly number[]): void {
    for (const p of partitions) this.#positions.resume(keyOf(topic, p));
    this.#flow(() => this.#consumer?.resume([{ topic, partitions: [...partitions] }]));
  }

  /** The package refuses pause/resume outside an assignment (before a join, after a revoke): moot then. */
  #flow(action: () => void): void {
    try {
      action();
    } catch (err) {
      this.#log.debug({ err: errorMessage(err) }, "pause/resume skipped: the partition is not assigned");
    }
  }

  /**
   * The package's commitOffsets resolves once librdkafka has queued the commit, so the group's
   * offsets are read back (an OffsetFetch on the same coordinator, after the queued OffsetCommit)
   * and only what they hold counts (commit-confirm.ts).
   */
  async commit(points: readonly CommitPoint[]): Promise<void> {
    const consumer = this.#consumer;
    if (consumer === undefined) throw new Error("commit while the consumer is not running");
    await consumer.commitOffsets(points.map((p) => ({ ...p })));
    const stored = await consumer.committed(
      points.map(({ topic, partition }) => ({ topic, partition })),
      COMMIT_CONFIRM_TIMEOUT_MS,
    );
    const missing = unconfirmed(points, new Map(stored.map((s) => [`${s.topic}/${s.partition}`, s.offset])));
    for (const p of points)
      if (!missing.includes(p)) this.#positions.committed(keyOf(p.topic, p.partition), BigInt(p.offset));
    if (missing.length > 0) throw new CommitNotConfirmed(missing);
  }

  isRebalanceError(err: unknown): boolean {
    const code = (err as { code?: unknown } | null)?.code;
    return (typeof code === "number" && REBALANCE_CODES.has(code)) || isRebalanceError(err);
  }

  disconnect(): Promise<void> {
    return this.stop();
  }
}

export function confluentClients(config: Config["kafka"], log: Log): KafkaClients {
  const { KafkaJS } = loadConfluent(config.clientModule) as CkModule;
  const kafka = new KafkaJS.Kafka(common(config, log));
  return {
    name: "confluent",
    consumer: () => new ConfluentConsumer(kafka, config, log),
    // The package's admin client (1.10.1) has no describeConfigs, which the cleanup.policy check
    // needs: topic metadata goes through kafkajs's admin client, as with KAFKA_CLIENT=kafkajs.
    metadata: (quick = false) => kafkajsTopicMetadata(createKafka(config, log, quick)),
    producer: () => confluentProducer(kafka),
  };
}
