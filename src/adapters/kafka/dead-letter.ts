// Poison records go to the dead-letter topic with their original key, value and headers, plus the
// context to fix and redrive them. Header names follow Kafka Connect's `__connect.errors.*` where
// they fit, so existing DLQ tooling reads them.

import type { Producer } from "kafkajs";
import type { SinkError } from "../../core/errors.ts";
import type { KafkaRecord } from "../../core/types.ts";
import { dlqPublishFailure } from "./errors.ts";
import type { DeadLetter } from "../../engine/processor.ts";

export function deadLetterHeaders(
  record: KafkaRecord,
  error: SinkError,
  attempts: number,
  groupId: string,
  now: Date,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(record.headers)) if (v !== undefined) headers[k] = v;
  Object.assign(headers, {
    "__connect.errors.topic": record.topic,
    "__connect.errors.partition": String(record.partition),
    "__connect.errors.offset": record.offset,
    "__connect.errors.stage": "CDC_SINK",
    "__connect.errors.class.name": "cdc-dynamodb-sink",
    "__connect.errors.exception.class.name": error.code,
    "__connect.errors.exception.message": error.message,
    "cdc.error.class": error.errorClass,
    "cdc.error.code": error.code,
    "cdc.group": groupId,
    "cdc.attempts": String(attempts),
    "cdc.failed_at": now.toISOString(),
  });
  return headers;
}

export class KafkaDeadLetter implements DeadLetter {
  readonly #producer: Producer;
  readonly #topic: string;
  readonly #groupId: string;

  constructor(producer: Producer, topic: string, groupId: string) {
    this.#producer = producer;
    this.#topic = topic;
    this.#groupId = groupId;
  }

  async publish(record: KafkaRecord, error: SinkError, attempts: number): Promise<void> {
    try {
      await this.#producer.send({
        topic: this.#topic,
        acks: -1,
        messages: [
          {
            key: record.key,
            value: record.value,
            headers: deadLetterHeaders(record, error, attempts, this.#groupId, new Date()),
          },
        ],
      });
    } catch (err) {
      throw dlqPublishFailure(err, this.#topic);
    }
  }
}
