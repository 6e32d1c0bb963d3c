// Poison records go to the dead-letter topic with their original key, value and headers, plus the
// context to fix and redrive them. Header names follow Kafka Connect's `__connect.errors.*` where
// they fit, so existing DLQ tooling reads them.

import type { Producer } from "kafkajs";
import { FatalError, ExitCode, TransientError, type ClassifiedError } from "../../core/errors.ts";
import type { KafkaRecord } from "../../core/types.ts";
import { isPermanentKafkaError } from "./client.ts";
import type { DeadLetter } from "../../engine/ports.ts";

export function deadLetterHeaders(
  record: KafkaRecord,
  error: ClassifiedError,
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

  async publish(record: KafkaRecord, error: ClassifiedError, attempts: number): Promise<void> {
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
      const e = err as { message?: string };
      if (isPermanentKafkaError(err)) {
        throw new FatalError(
          "dlq_publish_failed",
          `cannot publish to DLQ topic ${this.#topic}: ${e.message}`,
          ExitCode.fatal,
          { cause: err },
        );
      }
      throw new TransientError("dlq_publish", `DLQ publish to ${this.#topic} failed: ${e.message}`, {
        cause: err,
      });
    }
  }
}
