// Reads given offset ranges of one topic's partitions and stops at their ends: the reader behind
// `explain` (one record), `dlq list|show|redrive` and `run --dry-run`. kafkajs has no assign(), so
// the reader joins a consumer group (the caller's: an ephemeral one that never commits, or the
// redrive's own), seeks each partition to its range's start after run() (kafkajs applies a seek once
// the partition is assigned) and pauses every partition outside the ranges and every finished one.

import { toRecord } from "./kafkajs-consumer.ts";
import type { Consumer, Kafka } from "kafkajs";
import type { KafkaRecord } from "../../core/types.ts";
import { kafkaConnectFailure } from "./errors.ts";

/** `from` inclusive, `to` exclusive (a snapshot of the log end, so a busy topic still ends). */
export type ReadRange = { partition: number; from: string; to: string };

export type ReadOptions = {
  readonly topic: string;
  readonly groupId: string;
  readonly brokers: readonly string[];
  readonly ranges: readonly ReadRange[];
  /** Commit each record's next offset after its handler resolved (a resumable reader). */
  readonly commit?: boolean;
};

/**
 * Hands the records of the ranges to `handle`, batch by batch (one record at a time with `commit`),
 * in offset order per partition, and resolves once every range is read.
 */
export async function readRanges(
  kafka: Kafka,
  options: ReadOptions,
  handle: (records: KafkaRecord[]) => Promise<void>,
): Promise<void> {
  const open = new Map(
    options.ranges.filter((r) => BigInt(r.from) < BigInt(r.to)).map((r) => [r.partition, r]),
  );
  if (open.size === 0) return;
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
    retry: { retries: 5, initialRetryTime: 300 },
  });
  try {
    await consumer.connect();
  } catch (err) {
    throw kafkaConnectFailure(err, options.brokers);
  }
  const { topic } = options;
  try {
    let failed = false;
    await new Promise<void>((resolve, reject) => {
      const finish = (partition: number): void => {
        open.delete(partition);
        consumer.pause([{ topic, partitions: [partition] }]);
        if (open.size === 0) resolve();
      };
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        const mine = payload.memberAssignment[topic] ?? [];
        const others = mine.filter((p) => !open.has(p));
        if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      consumer
        .subscribe({ topic, fromBeginning: true })
        .then(() =>
          consumer.run({
            autoCommit: false,
            eachBatchAutoResolve: true,
            eachBatch: async (payload) => {
              const batch = payload.batch;
              const range = open.get(batch.partition);
              if (range === undefined || failed) return;
              const end = BigInt(range.to);
              const records = batch.messages
                .filter((m) => BigInt(m.offset) >= BigInt(range.from) && BigInt(m.offset) < end)
                .map((m) => toRecord(topic, batch.partition, m));
              try {
                if (options.commit === true) {
                  for (const r of records) {
                    if (!payload.isRunning()) return;
                    await handle([r]);
                    const next = (BigInt(r.offset) + 1n).toString();
                    await consumer.commitOffsets([{ topic, partition: batch.partition, offset: next }]);
                  }
                } else if (records.length > 0) {
                  await handle(records);
                }
              } catch (err) {
                // The handler's error is the command's to report, not kafkajs's to retry.
                failed = true;
                reject(err instanceof Error ? err : new Error(String(err)));
                return;
              }
              // lastOffset() counts control records too (a transaction marker may hold the last offset).
              if (BigInt(batch.lastOffset()) + 1n >= end) finish(batch.partition);
            },
          }),
        )
        .then(() => {
          for (const r of open.values()) consumer.seek({ topic, partition: r.partition, offset: r.from });
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}
