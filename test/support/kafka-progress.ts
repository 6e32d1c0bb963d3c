import { kafkaClient, withAdmin } from "./kafka.ts";

/** Per partition: [committed offset of the group (or -1), high watermark]. */
export async function groupProgress(
  brokers: string,
  groupId: string,
  topic: string,
): Promise<Map<number, [bigint, bigint]>> {
  return withAdmin(brokers, async (admin) => {
    const ends = await admin.fetchTopicOffsets(topic);
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const out = new Map<number, [bigint, bigint]>();
    for (const e of ends) out.set(e.partition, [-1n, BigInt(e.high)]);
    for (const p of committed[0]?.partitions ?? []) {
      const entry = out.get(p.partition);
      if (entry !== undefined) entry[0] = BigInt(p.offset);
    }
    return out;
  });
}

/** True when the group has committed every partition up to its end. */
export async function caughtUp(brokers: string, groupId: string, topic: string): Promise<boolean> {
  const progress = await groupProgress(brokers, groupId, topic);
  return [...progress.values()].every(([committed, high]) => committed === high);
}

export async function connectedProducer(brokers: string) {
  // Idempotent: a retry on a loaded machine must not append a record twice, or counts would drift.
  const producer = kafkaClient(brokers, "cdc-sink-test-producer").producer({
    allowAutoTopicCreation: false,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  return producer;
}

/** Reads every message of a topic from the beginning (until `count` arrived). */
export async function readTopic(brokers: string, topic: string, count: number, timeoutMs = 30_000) {
  const consumer = kafkaClient(brokers, "cdc-sink-test-reader").consumer({
    groupId: `reader-${topic}-${Date.now()}`,
  });
  // Keyed by position: a reader's own rebalance can deliver a record twice; the topic holds it once.
  const seen = new Map<
    string,
    {
      key: Buffer | null;
      value: Buffer | null;
      headers: Record<string, string>;
      partition: number;
      offset: string;
    }
  >();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message, partition }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {}))
          headers[k] = String(Array.isArray(v) ? v[0] : v);
        seen.set(`${partition}:${message.offset}`, {
          key: message.key,
          value: message.value,
          headers,
          partition,
          offset: message.offset,
        });
        return Promise.resolve();
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (seen.size < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  } finally {
    await consumer.disconnect();
  }
  return [...seen.values()];
}
