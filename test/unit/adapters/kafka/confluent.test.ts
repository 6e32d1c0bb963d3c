import assert from "node:assert/strict";
import { test } from "node:test";
import { librdkafkaPattern } from "../../../../src/adapters/kafka/confluent.ts";
import { loadConfluent } from "../../../../src/adapters/kafka/confluent-module.ts";
import { FatalError } from "../../../../src/core/errors.ts";

test("a JS topic pattern as librdkafka's: anchored with ^, matching what the JS pattern matches", () => {
  const anchored = librdkafkaPattern(/^pg\.public\./);
  assert.equal(anchored.source, "^pg\\.public\\.");
  const loose = librdkafkaPattern(/orders$/);
  assert.ok(loose.source.startsWith("^"), "librdkafka takes a subscription as a regex only with ^");
  for (const topic of ["pg.orders", "orders", "x.orders"]) assert.ok(loose.test(topic), topic);
  assert.ok(!loose.test("orders.dlq"));
});

test("a confluent client that does not load is a configuration error naming how to build it", () => {
  assert.throws(
    () => loadConfluent("/nonexistent/kafka-javascript"),
    (err: unknown) =>
      err instanceof FatalError &&
      err.exitCode === 2 &&
      /npm run build:confluent/.test(err.message) &&
      /\/nonexistent\/kafka-javascript/.test(err.message),
  );
});
