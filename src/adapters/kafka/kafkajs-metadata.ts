// The kafkajs adapters of the metadata and dead-letter producer ports.

import type { Admin, ConfigResourceTypes, Kafka, Producer } from "kafkajs";
import type { KafkaRecordProducer, KafkaTopicMetadata, OutgoingMessage } from "../../engine/ports.ts";
import { hasBrokerError } from "./errors.ts";

// The Kafka protocol's resource type of a topic in DescribeConfigs (kafkajs's
// ConfigResourceTypes.TOPIC, which its CommonJS export does not let an ES module import by name).
const TOPIC_RESOURCE = 2 as ConfigResourceTypes;

/** Topic metadata through a kafkajs admin client, connected on first use. */
export function kafkajsTopicMetadata(kafka: Kafka): KafkaTopicMetadata {
  let admin: Promise<Admin> | undefined;
  const connected = (): Promise<Admin> =>
    (admin ??= (async () => {
      const a = kafka.admin();
      try {
        await a.connect();
      } catch (err) {
        admin = undefined;
        throw err;
      }
      return a;
    })());
  return {
    async listTopics() {
      return (await connected()).listTopics();
    },
    async cleanupPolicies(topics) {
      const { resources } = await (
        await connected()
      ).describeConfigs({
        includeSynonyms: false,
        resources: topics.map((name) => ({ type: TOPIC_RESOURCE, name, configNames: ["cleanup.policy"] })),
      });
      const policies = new Map<string, string>();
      for (const r of resources) {
        const entry = r.configEntries.find((e) => e.configName === "cleanup.policy");
        policies.set(r.resourceName, entry?.configValue ?? "");
      }
      return policies;
    },
    async close() {
      const a = admin;
      admin = undefined;
      if (a !== undefined) await (await a.catch(() => undefined))?.disconnect().catch(() => undefined);
    },
  };
}

/** The dead-letter producer on kafkajs: not idempotent (a dead letter sent twice is harmless). */
export async function kafkajsRecordProducer(kafka: Kafka): Promise<KafkaRecordProducer> {
  const producer: Producer = kafka.producer({
    allowAutoTopicCreation: false,
    idempotent: false,
    maxInFlightRequests: 5,
  });
  await producer.connect();
  return {
    async send(topic: string, message: OutgoingMessage) {
      try {
        await producer.send({ topic, acks: -1, messages: [{ ...message, headers: { ...message.headers } }] });
        return "sent";
      } catch (err) {
        if (hasBrokerError(err, "MESSAGE_TOO_LARGE")) return "too_large";
        throw err;
      }
    },
    disconnect: () => producer.disconnect(),
  };
}
