// The Kafka client library behind the engine's ports, chosen by KAFKA_CLIENT. Each adapter
// implements the consumer, the topic metadata and the dead-letter producer; the composition root
// (src/app/service.ts) takes them from here and never sees the library.

import type { Config } from "../../config/config.ts";
import type { KafkaConsumerClient, KafkaRecordProducer, KafkaTopicMetadata } from "../../engine/ports.ts";
import type { Log } from "../../telemetry/log.ts";
import { createKafka } from "./client.ts";
import { KafkajsConsumer } from "./kafkajs-consumer.ts";
import { kafkajsRecordProducer, kafkajsTopicMetadata } from "./kafkajs-metadata.ts";

export type KafkaClients = {
  readonly name: string;
  consumer(): KafkaConsumerClient;
  /** `quick`: few, short retries, for start-up checks that should fail in seconds. */
  metadata(quick?: boolean): KafkaTopicMetadata;
  producer(): Promise<KafkaRecordProducer>;
};

export function kafkajsClients(config: Config["kafka"], log: Log): KafkaClients {
  const kafka = createKafka(config, log);
  return {
    name: "kafkajs",
    consumer: () => new KafkajsConsumer(kafka, config, log),
    metadata: (quick = false) => kafkajsTopicMetadata(quick ? createKafka(config, log, true) : kafka),
    producer: () => kafkajsRecordProducer(kafka),
  };
}

/** KAFKA_CLIENT's library; the confluent one is loaded only when chosen (a native module). */
export async function kafkaClients(config: Config["kafka"], log: Log): Promise<KafkaClients> {
  if (config.client === "confluent") {
    const { confluentClients } = await import("./confluent.ts");
    return confluentClients(config, log);
  }
  return kafkajsClients(config, log);
}
