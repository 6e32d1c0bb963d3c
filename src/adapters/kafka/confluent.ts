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
  KafkaRecordProducer,
  OutgoingMessage,
  Subscription,
} from "../../engine/ports.ts";
import type { Log } from "../../telemetry/log.ts";
import type { KafkaClients } from "./clients.ts";
import { loadConfluent } from "./confluent-module.ts";
import { isRebalanceError } from "./errors.ts";
import { createKafka, fetchOptions } from "./client.ts";
import { kafkajsTopicMetadata } from "./kafkajs-metadata.ts";
import { toRecord } from "./kafkajs-consumer.ts";

type Options = Record<string, unknown>;
type TopicPartition = { topic: string; partition: number };
type Message = {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, unknown>;
  timestamp: string;
};
type CkConsumer = {
  connect(): Promise<void>;
  subscribe(s: { topics: (string | RegExp)[] }): Promise<void>;
  run(r: {
    partitionsConsumedConcurrently: number;
    eachBatchAutoResolve: boolean;
    eachBatch(p: {
      batch: { topic: string; partition: number; highWatermark?: string; messages: Message[] };
    }): Promise<void>;
  }): Promise<void>;
  pause(tps: { topic: string; partitions: number[] }[]): void;
  resume(tps: { topic: string; partitions: number[] }[]): void;
  commitOffsets(points: { topic: string; partition: number; offset: string }[]): Promise<void>;
  disconnect(): Promise<void>;
};
type CkProducer = {
  connect(): Promise<void>;
  send(r: { topic: string; messages: object[] }): Promise<unknown>;
  disconnect(): Promise<void>;
};
type CkKafka = {
  consumer(o: Options): CkConsumer;
  producer(o: Options): CkProducer;
};
type CkModule = { KafkaJS: { Kafka: new (o: Options) => CkKafka } };

const ASSIGN = -175;
const REVOKE = -174;
// Kafka protocol errors a commit meets while the group changes generation (classic: 16, 22, 25, 27;
// KIP-848: FENCED_MEMBER_EPOCH 110, STALE_MEMBER_EPOCH 113).
const REBALANCE_CODES = new Set([16, 22, 25, 27, 110, 113]);
// MSG_SIZE_TOO_LARGE from the broker (10) and librdkafka's local check (-186).
const TOO_LARGE_CODES = new Set([10, -186]);

/** The common settings: brokers, TLS and SASL in librdkafka's terms, logs through ours. */
function common(config: Config["kafka"], log: Log): Options {
  const tls = config.tls;
  const sasl = config.sasl?.mechanism === "aws-msk-iam" ? undefined : config.sasl;
  return {
    kafkaJS: {
      brokers: config.brokers,
      clientId: config.clientId,
      ssl: tls !== undefined,
      ...(sasl === undefined
        ? {}
        : { sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } }),
      logger: logger(log),
    },
    ...(tls?.ca === undefined ? {} : { "ssl.ca.pem": tls.ca }),
    ...(tls?.cert === undefined ? {} : { "ssl.certificate.pem": tls.cert }),
    ...(tls?.key === undefined ? {} : { "ssl.key.pem": tls.key }),
  };
}

/** librdkafka's log lines as ours: the message only (no config dumps), errors and warnings kept. */
function logger(log: Log): object {
  const at =
    (level: "error" | "warn" | "info" | "debug") =>
    (message: unknown): void =>
      log[level]({ kafkaClient: "confluent" }, String(message));
  return {
    info: at("debug"),
    warn: at("warn"),
    error: at("error"),
    debug: at("debug"),
    setLogLevel: () => undefined,
    namespace: () => undefined,
  };
}

/**
 * A JS pattern (whose meaning is a search, RegExp.test) as librdkafka's subscription: it must start
 * with `^` to be taken as a regex, and it goes two ways. The classic protocol searches topic names
 * with it in librdkafka; KIP-848 sends it to the broker (SubscribedTopicRegex), whose coordinator
 * keeps a topic only if the whole name matches (re2j `matches()`), so `^pg\.` alone would select
 * `pg.` and nothing under it. `^.*(P).*` means the same in all three. A plain group: librdkafka's
 * classic regex may be POSIX ERE, which has no `(?:`.
 */
export function librdkafkaPattern(pattern: RegExp): RegExp {
  return new RegExp(`^.*(${pattern.source})`);
}

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

  constructor(kafka: CkKafka, config: Config["kafka"], log: Log) {
    this.#kafka = kafka;
    this.#config = config;
    this.#log = log;
  }

  async run(subscription: Subscription, handlers: ConsumerHandlers): Promise<void> {
    this.#handlers = handlers;
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
      eachBatchAutoResolve: true,
      eachBatch: ({ batch }) => {
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
      if (incremental) h.revoked(change);
      else h.revokedAll();
    } else {
      this.#log.warn({ code }, "unexpected rebalance event");
    }
  }

  async stop(): Promise<void> {
    // The package has no stop(): leaving the group means disconnecting; run() makes a new consumer.
    const consumer = this.#consumer;
    this.#consumer = undefined;
    await consumer?.disconnect();
  }

  pause(topic: string, partitions: readonly number[]): void {
    this.#flow(() => this.#consumer?.pause([{ topic, partitions: [...partitions] }]));
  }
  resume(topic: string, partitions: readonly number[]): void {
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

  async commit(points: readonly CommitPoint[]): Promise<void> {
    if (this.#consumer === undefined) throw new Error("commit while the consumer is not running");
    await this.#consumer.commitOffsets(points.map((p) => ({ ...p })));
  }

  isRebalanceError(err: unknown): boolean {
    const code = (err as { code?: unknown } | null)?.code;
    return (typeof code === "number" && REBALANCE_CODES.has(code)) || isRebalanceError(err);
  }

  disconnect(): Promise<void> {
    return this.stop();
  }
}

async function confluentProducer(kafka: CkKafka): Promise<KafkaRecordProducer> {
  // acks=all is a producer setting here, not a send() option.
  const producer = kafka.producer({
    kafkaJS: { acks: -1, idempotent: false, allowAutoTopicCreation: false },
  });
  await producer.connect();
  return {
    async send(topic: string, message: OutgoingMessage) {
      try {
        await producer.send({ topic, messages: [{ ...message, headers: { ...message.headers } }] });
        return "sent";
      } catch (err) {
        const code = (err as { code?: unknown } | null)?.code;
        if (typeof code === "number" && TOO_LARGE_CODES.has(code)) return "too_large";
        throw err;
      }
    },
    disconnect: () => producer.disconnect(),
  };
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
