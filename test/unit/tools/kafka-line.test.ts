import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_KAFKA_LINE, kafkaLineFromEnv, parseKafkaLine } from "../../../tools/stack/fetch.ts";

test("the stack's Kafka line: 4 by default, 3.9 selectable, 4.x accepted for 4, anything else refused by name", () => {
  assert.equal(DEFAULT_KAFKA_LINE, "4");
  assert.equal(kafkaLineFromEnv({}), "4");
  assert.equal(kafkaLineFromEnv({ CDC_SINK_KAFKA: "" }), "4");
  assert.equal(kafkaLineFromEnv({ CDC_SINK_KAFKA: "4" }), "4");
  assert.equal(kafkaLineFromEnv({ CDC_SINK_KAFKA: "3.9" }), "3.9");
  assert.equal(parseKafkaLine("4.x"), "4");
  assert.equal(parseKafkaLine("4"), "4");
  assert.throws(() => parseKafkaLine("3.8"), /unknown Kafka line "3\.8": one of 4, 3\.9/);
  assert.throws(() => kafkaLineFromEnv({ CDC_SINK_KAFKA: "latest" }), /unknown Kafka line "latest"/);
});
