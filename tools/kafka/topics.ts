// Topic creation for the tools and tests that make their own topics (the demo, the benchmark,
// the test support): the product itself never creates topics.
import type { Admin, ITopicConfig } from "kafkajs";

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
