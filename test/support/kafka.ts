import { Kafka, logLevel, type Admin } from "kafkajs";

/** A kafkajs client that stays quiet: tests assert on outcomes, not on kafkajs's retry logs. */
export function kafkaClient(brokers: string, clientId = "cdc-sink-test"): Kafka {
  return new Kafka({ clientId, brokers: brokers.split(","), logLevel: logLevel.NOTHING });
}

export async function withAdmin<T>(brokers: string, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafkaClient(brokers, "cdc-sink-test-admin").admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Creates a topic and waits until its leaders are elected (the broker does not auto-create
 * topics, so producing to a topic that was never created fails, as it should).
 */
export async function createTopic(brokers: string, name: string, partitions = 1): Promise<void> {
  await withAdmin(brokers, async (admin) => {
    await admin.createTopics({
      topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  });
}

export async function deleteTopic(brokers: string, name: string): Promise<void> {
  await withAdmin(brokers, (admin) => admin.deleteTopics({ topics: [name] }));
}
