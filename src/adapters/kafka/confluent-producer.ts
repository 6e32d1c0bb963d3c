// The dead-letter producer on @confluentinc/kafka-javascript (KAFKA_CLIENT=confluent).

import type { KafkaRecordProducer, OutgoingMessage } from "../../engine/ports.ts";
import type { CkKafka } from "./confluent-types.ts";

// MSG_SIZE_TOO_LARGE from the broker (10) and librdkafka's local check (-186).
const TOO_LARGE_CODES = new Set([10, -186]);

export async function confluentProducer(kafka: CkKafka): Promise<KafkaRecordProducer> {
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
