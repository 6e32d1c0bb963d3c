// A commit counts only once the group coordinator has the offsets. The engine marks each point it
// committed and commits a partition again only when its watermark moves (adapters/kafka/source.ts),
// so a commit reported done but lost is not redone while the partition is quiet: the group's offset
// stays behind (a restart replays from it, and lag says the sink is behind when it is not). Neither
// client's own promise is enough:
// - kafkajs 2.2.4 (consumer/runner.js:476-515) resolves commitOffsets without committing when the
//   consumer is not running, and also when an attempt fails after the runner stopped (a crash and
//   restart while the broker is away);
// - @confluentinc/kafka-javascript 1.10.1 resolves commitOffsets once librdkafka has queued the
//   commit (its native commitCb calls commitAsync); the coordinator's answer goes to an
//   offset_commit_cb that its KafkaJS layer does not expose.
// Each adapter therefore confirms its points (kafkajs: the coordinator's accepted commits, from its
// COMMIT_OFFSETS event; confluent: the group's offsets read back) and throws this for the rest, so
// the periodic commit is redone (source.ts logs it and retries).

import type { CommitPoint } from "../../engine/ports.ts";

export class CommitNotConfirmed extends Error {
  readonly points: readonly CommitPoint[];
  constructor(points: readonly CommitPoint[]) {
    super(
      `offset commit not confirmed by the group coordinator for ` +
        `${points.map((p) => `${p.topic}/${p.partition}@${p.offset}`).join(", ")}; redone at the next commit`,
    );
    this.name = "CommitNotConfirmed";
    this.points = points;
  }
}

/**
 * The points whose partition's stored offset is below what was asked. `stored` maps
 * `topic/partition` to the offset the coordinator holds (a later, higher one counts: a newer commit
 * of this member or the partition's next holder).
 */
export function unconfirmed(
  points: readonly CommitPoint[],
  stored: ReadonlyMap<string, string | null | undefined>,
): CommitPoint[] {
  return points.filter((p) => {
    const have = stored.get(`${p.topic}/${p.partition}`);
    return have === undefined || have === null || !/^-?\d+$/.test(have) || BigInt(have) < BigInt(p.offset);
  });
}
