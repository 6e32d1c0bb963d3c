// The admin queries of the operator's commands (src/ops): a group's committed offsets, state and
// members, the partitions' log start and end offsets, the offsets for a time, and setting a group's
// offsets. Offsets stay decimal text (int64), as kafkajs gives them.

import type { Admin, Kafka } from "kafkajs";
import { kafkaConnectFailure } from "./errors.ts";

export type PartitionEnds = { partition: number; low: string; high: string };
export type GroupMember = { memberId: string; clientId: string; clientHost: string };
export type GroupState = { state: string; members: GroupMember[] };

/** Runs `work` with a connected admin client; a failure to connect names the brokers. */
export async function withAdmin<T>(kafka: Kafka, brokers: readonly string[], work: (a: Admin) => Promise<T>) {
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (err) {
    throw kafkaConnectFailure(err, brokers);
  }
  try {
    return await work(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Log start (`low`) and end (`high`, the next offset to be written) of every partition. */
export async function topicEnds(admin: Admin, topic: string): Promise<PartitionEnds[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets
    .map((o) => ({ partition: o.partition, low: o.low, high: o.high }))
    .sort((a, b) => a.partition - b.partition);
}

/** The group's committed offset per partition; `-1` where it has committed nothing. */
export async function committedOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, string>> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((entry?.partitions ?? []).map((p) => [p.partition, p.offset]));
}

export async function groupState(admin: Admin, groupId: string): Promise<GroupState> {
  const { groups } = await admin.describeGroups([groupId]);
  const g = groups[0];
  return {
    state: g?.state ?? "Unknown",
    members: (g?.members ?? []).map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      clientHost: m.clientHost,
    })),
  };
}

/**
 * Per partition, the first offset whose record timestamp is at or after `timeMs` (Kafka's
 * ListOffsets by timestamp); the log end where no record is that recent (kafkajs maps the broker's
 * -1 to the high watermark).
 */
export async function offsetsForTime(
  admin: Admin,
  topic: string,
  timeMs: number,
): Promise<Map<number, string>> {
  const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, timeMs);
  return new Map(offsets.map((o) => [o.partition, o.offset]));
}

/** Sets a group's offsets; kafkajs refuses (non-retriable) while the group has running members. */
export async function setGroupOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
  partitions: readonly { partition: number; offset: string }[],
): Promise<void> {
  await admin.setOffsets({ groupId, topic, partitions: [...partitions] });
}
