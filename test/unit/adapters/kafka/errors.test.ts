// kafkajs errors as the product reads them (src/adapters/kafka/errors.ts), built with kafkajs's own
// error classes and wrapped as its retriers wrap them (kafkajs/src/retry/index.js).

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";
import {
  causeChain,
  consumerCrash,
  dlqPublishFailure,
  hasBrokerError,
  isPermanentKafkaError,
  isRebalanceError,
  kafkaConnectFailure,
} from "../../../../src/adapters/kafka/errors.ts";
import { FatalError, TransientError } from "../../../../src/core/errors.ts";

const E = createRequire(import.meta.url)("kafkajs/src/errors.js") as Record<
  string,
  new (e: unknown, o?: Record<string, unknown>) => Error
>;
const protocolError = (type: string, code: number, retriable: boolean): Error =>
  new E["KafkaJSProtocolError"]!({ message: `broker says ${type}`, type, code, retriable });

test("a refused login and a failed TLS handshake are named as such, not as unreachable", () => {
  const sasl = Object.assign(new Error("SASL SCRAM SHA512 authentication failed: invalid credentials"), {
    name: "KafkaJSSASLAuthenticationError",
  });
  const auth = kafkaConnectFailure(sasl, ["b:9096"]);
  assert.equal(auth.code, "kafka_auth");
  assert.equal(auth.exitCode, 3);
  assert.match(auth.message, /^Kafka at b:9096 refused authentication: SASL SCRAM SHA512/);
  const tls = kafkaConnectFailure(
    new Error("Connection error: self-signed certificate in certificate chain"),
    ["b:9096"],
  );
  assert.equal(tls.code, "kafka_tls");
  assert.match(tls.message, /KAFKA_SSL_CA_FILE/);
  // kafkajs wraps the last attempt's error when retries run out.
  const wrapped = Object.assign(new Error("retries exhausted"), {
    name: "KafkaJSNumberOfRetriesExceeded",
    originalError: sasl,
  });
  assert.equal(kafkaConnectFailure(wrapped, ["b:9096"]).code, "kafka_auth");
  const down = kafkaConnectFailure(new Error("Connection error: connect ECONNREFUSED 127.0.0.1:1"), [
    "127.0.0.1:1",
  ]);
  assert.equal(down.code, "kafka_unreachable");
  assert.match(down.message, /^cannot reach Kafka at 127\.0\.0\.1:1/);
});

test("a broker down past the retry budget is not a permanent error; a refused request is", () => {
  const refused = new E["KafkaJSConnectionError"]!("Connection error: connect ECONNREFUSED 127.0.0.1:9092");
  const exhausted = new E["KafkaJSNumberOfRetriesExceeded"]!(refused, {
    retryCount: 8,
    retryTime: 10000,
    cause: refused,
  });
  const crash = new E["KafkaJSNonRetriableError"]!(exhausted, { cause: refused });
  assert.equal((crash as { retriable?: boolean }).retriable, false, "kafkajs calls the crash non-retriable");
  assert.equal(isPermanentKafkaError(crash), false);
  assert.equal(isPermanentKafkaError(exhausted), false);
  assert.equal(isPermanentKafkaError(refused), false);
  const denied = new E["KafkaJSProtocolError"]!({
    message: "Not authorized to access topics",
    type: "TOPIC_AUTHORIZATION_FAILED",
    code: 29,
    retriable: false,
  });
  assert.equal(isPermanentKafkaError(new E["KafkaJSNonRetriableError"]!(denied, { cause: denied })), true);
  assert.equal(isPermanentKafkaError(new E["KafkaJSNonRetriableError"]!("Invalid topic undefined")), true);
  assert.equal(isPermanentKafkaError(new Error("plain")), false);
});

test("the cause chain is read through kafkajs's wrappers, outermost first, and stops on a cycle", () => {
  const tooLarge = protocolError("MESSAGE_TOO_LARGE", 10, false);
  const wrapped = new E["KafkaJSNonRetriableError"]!(tooLarge, { cause: tooLarge });
  assert.deepEqual(
    causeChain(wrapped).map((l) => [l.name, l.type, l.retriable]),
    [
      ["KafkaJSNonRetriableError", undefined, false],
      ["KafkaJSProtocolError", "MESSAGE_TOO_LARGE", false],
    ],
  );
  assert.ok(hasBrokerError(wrapped, "MESSAGE_TOO_LARGE"));
  assert.ok(!hasBrokerError(wrapped, "REBALANCE_IN_PROGRESS"));
  const loop = new Error("a") as Error & { cause?: unknown };
  loop.cause = loop;
  assert.equal(causeChain(loop).length, 1);
  assert.deepEqual(causeChain("text"), []);
});

test("a commit refused by the group coordinator during a rebalance is told apart from other failures", () => {
  for (const [type, code] of [
    ["REBALANCE_IN_PROGRESS", 27],
    ["ILLEGAL_GENERATION", 22],
    ["UNKNOWN_MEMBER_ID", 25],
    ["NOT_COORDINATOR_FOR_GROUP", 16],
  ] as const) {
    const e = protocolError(type, code, false);
    assert.ok(isRebalanceError(new E["KafkaJSNonRetriableError"]!(e, { cause: e })), type);
  }
  assert.ok(!isRebalanceError(protocolError("TOPIC_AUTHORIZATION_FAILED", 29, false)));
  assert.ok(!isRebalanceError(new E["KafkaJSConnectionError"]!("Connection error: ECONNRESET")));
});

test("a DLQ publish failure: refused for good is fatal (exit 3), anything else transient", () => {
  const denied = protocolError("TOPIC_AUTHORIZATION_FAILED", 29, false);
  const fatal = dlqPublishFailure(new E["KafkaJSNonRetriableError"]!(denied, { cause: denied }), "dlq");
  assert.ok(fatal instanceof FatalError);
  assert.equal(fatal.code, "dlq_publish_failed");
  assert.equal(fatal.exitCode, 3);
  assert.match(fatal.message, /^cannot publish to DLQ topic dlq: /);
  const refused = new E["KafkaJSConnectionError"]!("Connection error: connect ECONNREFUSED 127.0.0.1:9092");
  const exhausted = new E["KafkaJSNumberOfRetriesExceeded"]!(refused, { retryCount: 5, retryTime: 1 });
  const transient = dlqPublishFailure(exhausted, "dlq");
  assert.ok(transient instanceof TransientError);
  assert.equal(transient.code, "dlq_publish");
});

test("a consumer that will not restart is exit 6 with the cause named", () => {
  const e = consumerCrash(new Error("Not authorized to access group"));
  assert.equal(e.code, "kafka_crash");
  assert.equal(e.exitCode, 6);
  assert.match(e.message, /will not restart: Not authorized to access group$/);
});
