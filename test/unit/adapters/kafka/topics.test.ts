// Start-up rules of the Kafka side that need no broker: the sink must never consume its own
// dead letters (DLQ_TOPIC listed in KAFKA_TOPICS or matched by KAFKA_TOPIC_PATTERN).

import assert from "node:assert/strict";
import { test } from "node:test";
import { consumedTopics, dlqConsumedError } from "../../../../src/adapters/kafka/topics.ts";
import { kafkaConfig as kafka } from "../../../support/kafka-config.ts";

test("a DLQ topic that the pattern matches is refused as bad configuration (exit 2), both named", () => {
  const err = dlqConsumedError(kafka({ topicPattern: /^pg\./, dlqTopic: "pg.dlq" }));
  assert.ok(err !== undefined);
  assert.equal(err.code, "dlq_consumed");
  assert.equal(err.exitCode, 2);
  assert.match(err.message, /DLQ_TOPIC pg\.dlq matches KAFKA_TOPIC_PATTERN \^pg\\\./);
  assert.match(err.message, /its own dead letters/);
});

test("a DLQ topic listed in KAFKA_TOPICS is refused too", () => {
  const err = dlqConsumedError(kafka({ topics: ["pg.a", "dlq"], dlqTopic: "dlq" }));
  assert.equal(err?.exitCode, 2);
  assert.match(err.message, /DLQ_TOPIC dlq is listed in KAFKA_TOPICS/);
});

test("a DLQ topic outside the consumed topics, or no DLQ, is accepted", () => {
  assert.equal(dlqConsumedError(kafka({ topicPattern: /^pg\./, dlqTopic: "dlq.pg" })), undefined);
  assert.equal(dlqConsumedError(kafka({ topics: ["pg.a"], dlqTopic: "pg.dlq" })), undefined);
  assert.equal(dlqConsumedError(kafka({ topicPattern: /^pg\./ })), undefined);
  // A sticky or global pattern keeps no state between checks.
  assert.equal(
    dlqConsumedError(kafka({ topicPattern: /^pg\./gy, dlqTopic: "pg.dlq" }))?.code,
    "dlq_consumed",
  );
});

test("the consumed topics are the named ones and the pattern's current matches, never the DLQ", () => {
  const existing = ["pg.a", "pg.b", "other", "dlq"];
  assert.deepEqual(consumedTopics(kafka({ topics: ["other"], topicPattern: /^pg\./g }), existing), [
    "other",
    "pg.a",
    "pg.b",
  ]);
  assert.deepEqual(consumedTopics(kafka({ topicPattern: /^(pg\.a|dlq)$/, dlqTopic: "dlq" }), existing), [
    "pg.a",
  ]);
});
