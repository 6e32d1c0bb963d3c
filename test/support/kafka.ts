import { Kafka, logLevel, type Admin, type ITopicConfig } from "kafkajs";

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
  await withAdmin(brokers, (admin) =>
    createTopicsAndWait(admin, [{ topic: name, numPartitions: partitions, replicationFactor: 1 }]),
  );
}

/**
 * `admin.createTopics`, then a poll of the topics' metadata until every partition has a leader.
 * kafkajs's own `waitForLeaders` retries only LEADER_NOT_AVAILABLE, but a KRaft broker answers
 * UNKNOWN_TOPIC_OR_PARTITION until the new topic reaches its metadata cache (asynchronous after
 * CreateTopics returns): on a loaded machine CI failed on exactly that ("This server does not host
 * this topic-partition") right after a successful create.
 */
export async function createTopicsAndWait(
  admin: Admin,
  topics: ITopicConfig[],
  timeoutMs = 60_000,
): Promise<void> {
  await admin.createTopics({ topics, waitForLeaders: false });
  const names = topics.map((t) => t.topic);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await admin.fetchTopicMetadata({ topics: names }).then(
      (m) =>
        m.topics.length === names.length &&
        m.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)),
      (err: unknown) => {
        if (!isRetriableMetadataError(err)) throw err;
        return false;
      },
    );
    if (ready) return;
    if (Date.now() > deadline)
      throw new Error(`topics ${names.join(", ")} have no leaders after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function isRetriableMetadataError(err: unknown): boolean {
  const type = (err as { type?: unknown }).type;
  return type === "UNKNOWN_TOPIC_OR_PARTITION" || type === "LEADER_NOT_AVAILABLE";
}

export async function deleteTopic(brokers: string, name: string): Promise<void> {
  await withAdmin(brokers, (admin) => admin.deleteTopics({ topics: [name] }));
}
