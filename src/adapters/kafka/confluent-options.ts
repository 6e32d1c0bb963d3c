// The @confluentinc/kafka-javascript client's settings in librdkafka's terms (confluent.ts uses
// them): brokers, TLS and SASL, its log lines through ours, and a topic pattern as librdkafka's.

import type { Config } from "../../config/config.ts";
import type { Log } from "../../telemetry/log.ts";

import type { Options } from "./confluent-types.ts";

/** The common settings: brokers, TLS and SASL in librdkafka's terms, logs through ours. */
export function common(config: Config["kafka"], log: Log): Options {
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
  return new RegExp(`^.*(${pattern.source}).*`);
}

/**
 * librdkafka prefetches into its consumer queue until that holds 100 000 messages or 64 MiB
 * (queued.min.messages, queued.max.messages.kbytes), paying no heed to MAX_BUFFERED_RECORDS: about
 * 200 MB more RSS than kafkajs. Bounded by one fetch's bytes, as kafkajs is (one fetch in flight);
 * librdkafka lowers fetch.max.bytes to it, never below message.max.bytes. A partition whose fetch
 * found the queue full is fetched again after fetch.queue.backoff.ms (1 000 ms by default): with
 * the queue this small, the default capped consume-only at 7 400 records/s.
 */
export function prefetchQueue(fetchMaxBytes: number): Options {
  return { "queued.max.messages.kbytes": Math.ceil(fetchMaxBytes / 1024), "fetch.queue.backoff.ms": 50 };
}
