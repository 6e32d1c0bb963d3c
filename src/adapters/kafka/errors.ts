// kafkajs errors translated into the product's classes, once, for every Kafka adapter (client
// start-up, consumer, commits, dead-letter producer). kafkajs (2.2.4, src/errors.js) builds errors
// as chains: a retrier that gives up wraps the last error in KafkaJSNumberOfRetriesExceeded, a
// retrier that meets a non-retriable error wraps it in KafkaJSNonRetriableError, each with `cause`
// set (src/retry/index.js). What an error means is therefore read from the whole chain.

import { ExitCode, FatalError, TransientError, errorMessage } from "../../core/errors.ts";

/** Stable codes of the errors this adapter raises (logs, metrics, exit messages). */
export const KafkaErrorCode = {
  auth: "kafka_auth",
  tls: "kafka_tls",
  unreachable: "kafka_unreachable",
  crash: "kafka_crash",
  dlqPublish: "dlq_publish",
  dlqRefused: "dlq_publish_failed",
  dlqTooSmall: "dlq_max_message_bytes",
  topicMissing: "topic_missing",
  dlqConsumed: "dlq_consumed",
  compactedTopic: "topic_compacted",
  topicConfigUnreadable: "topic_config_unreadable",
} as const;

/** One link of an error's cause chain, with the fields kafkajs sets. */
export type ErrorLink = {
  readonly name: string;
  readonly message: string;
  /** KafkaJSProtocolError: the broker's error name, e.g. `MESSAGE_TOO_LARGE`. */
  readonly type: string | undefined;
  readonly retriable: boolean | undefined;
};

const MAX_DEPTH = 10;

/** The error and its causes, outermost first (`cause`, or `originalError` where a wrapper sets it). */
export function causeChain(err: unknown): ErrorLink[] {
  const links: ErrorLink[] = [];
  for (let e: unknown = err; typeof e === "object" && e !== null && links.length < MAX_DEPTH;) {
    const o = e as { name?: unknown; message?: unknown; type?: unknown; retriable?: unknown };
    links.push({
      name: typeof o.name === "string" ? o.name : "",
      message: typeof o.message === "string" ? o.message : "",
      type: typeof o.type === "string" ? o.type : undefined,
      retriable: typeof o.retriable === "boolean" ? o.retriable : undefined,
    });
    const next = (e as { cause?: unknown; originalError?: unknown }).cause;
    e = next !== e && next !== undefined ? next : (e as { originalError?: unknown }).originalError;
  }
  return links;
}

/**
 * Whether a kafkajs error will fail the same way again. kafkajs marks an error non-retriable when a
 * retrier gives up, even if what it gave up on is retriable: nested retriers wrap a refused
 * connection (a broker that stayed down longer than the retry budget) into
 * KafkaJSNumberOfRetriesExceeded, then into KafkaJSNonRetriableError. So the whole cause chain is
 * read: permanent only if no link ran out of retries or lost its connection, and the root cause
 * itself is non-retriable.
 */
export function isPermanentKafkaError(err: unknown): boolean {
  const chain = causeChain(err);
  if (chain.length === 0 || chain[0]!.retriable !== false) return false;
  if (chain.some((e) => e.name === "KafkaJSNumberOfRetriesExceeded" || e.name === "KafkaJSConnectionError"))
    return false;
  return chain.at(-1)!.retriable !== true;
}

/** The broker's error name anywhere in the chain (`type` of a KafkaJSProtocolError). */
export function hasBrokerError(err: unknown, type: string): boolean {
  return causeChain(err).some((e) => e.type === type);
}

// The group coordinator's answers while the group changes generation (Kafka protocol error codes
// 16, 22, 25, 27): a commit refused with them is redone after the rejoin, from the new leases.
const REBALANCE_TYPES = new Set([
  "REBALANCE_IN_PROGRESS",
  "ILLEGAL_GENERATION",
  "UNKNOWN_MEMBER_ID",
  "NOT_COORDINATOR_FOR_GROUP",
]);

/** A commit refused because the group is rebalancing (or this member's generation is over). */
export function isRebalanceError(err: unknown): boolean {
  return causeChain(err).some(
    (e) => (e.type !== undefined && REBALANCE_TYPES.has(e.type)) || /rebalanc/i.test(e.message),
  );
}

/**
 * Why the first connection to Kafka failed, as the fatal error the operator reads: a refused
 * login and a failed TLS handshake name their settings, so neither reads as "unreachable". Both
 * are final (no plaintext or anonymous fallback is ever tried).
 */
export function kafkaConnectFailure(err: unknown, brokers: readonly string[]): FatalError {
  const at = brokers.join(",");
  const chain = causeChain(err);
  const names = chain.map((e) => e.name).join(" ");
  const messages = chain.map((e) => e.message).join(" ");
  const detail = errorMessage(err);
  if (/SASLAuthentication/.test(names) || /SASL|authentication failed/i.test(messages)) {
    return new FatalError(
      KafkaErrorCode.auth,
      `Kafka at ${at} refused authentication: ${detail} (check KAFKA_SASL_MECHANISM, ` +
        `KAFKA_SASL_USERNAME and the password; for aws-msk-iam, the AWS credentials and the IAM policy)`,
      ExitCode.fatal,
      { cause: err },
    );
  }
  // TLS alerts a broker sends about the client's certificate (RFC 8446 §6.2, as OpenSSL words them).
  // Kafka 3.9's JSSE with ssl.client.auth=required answers a missing certificate with `bad
  // certificate` (42) and one from a CA it does not trust with `certificate unknown` (46), as
  // measured by test/integration/security/mtls.test.ts; OpenSSL-based proxies send `certificate
  // required` (116) and `unknown ca` (48).
  if (
    /alert (certificate required|unknown ca|bad certificate|certificate unknown|certificate expired)/i.test(
      messages,
    )
  ) {
    return new FatalError(
      KafkaErrorCode.tls,
      `TLS with Kafka at ${at} failed: the brokers refused this client's certificate: ${detail} ` +
        "(they require one signed by a CA they trust: check KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE)",
      ExitCode.fatal,
      { cause: err },
    );
  }
  if (/certificate|TLS|SSL|secure/i.test(messages)) {
    return new FatalError(
      KafkaErrorCode.tls,
      `TLS with Kafka at ${at} failed: ${detail} ` +
        "(check KAFKA_SSL_CA_FILE, and that the brokers' port speaks TLS)",
      ExitCode.fatal,
      { cause: err },
    );
  }
  return new FatalError(
    KafkaErrorCode.unreachable,
    `cannot reach Kafka at ${at}: ${detail}`,
    ExitCode.fatal,
    {
      cause: err,
    },
  );
}

/** The consumer crashed and kafkajs will not restart it (permanent error or restart budget spent). */
export function consumerCrash(err: unknown): FatalError {
  return new FatalError(
    KafkaErrorCode.crash,
    `the Kafka consumer crashed and will not restart: ${errorMessage(err)}`,
    ExitCode.kafkaCrash,
    { cause: err },
  );
}

/**
 * A failed publish to the dead-letter topic: permanent refusals (authorization, a topic that
 * vanished) stop the service; anything else is retried by the processor, never skipped.
 */
export function dlqPublishFailure(err: unknown, topic: string): FatalError | TransientError {
  if (isPermanentKafkaError(err)) {
    return new FatalError(
      KafkaErrorCode.dlqRefused,
      `cannot publish to DLQ topic ${topic}: ${errorMessage(err)}`,
      ExitCode.fatal,
      { cause: err },
    );
  }
  return new TransientError(
    KafkaErrorCode.dlqPublish,
    `DLQ publish to ${topic} failed: ${errorMessage(err)}`,
    {
      cause: err,
    },
  );
}
