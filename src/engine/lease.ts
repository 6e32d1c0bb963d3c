// One partition as this member holds it in one group generation. A rebalance revokes every lease:
// its queued records are handed back to Kafka and it gets no further commits, so a commit from this
// member can never land for a partition another member now owns. A partition assigned again gets a
// fresh lease; the old one's in-flight writes finish harmlessly (they are conditional).

import type { CommitPoint, Flow } from "./ports.ts";
import { Watermark } from "./watermark.ts";

export class Lease {
  readonly watermark = new Watermark();
  revoked = false;
  /** Records of this partition waiting to retry a transient error (the partition is paused). */
  retrying = 0;
  pausedForMemory = false;
  /** The last offset committed for this lease. */
  committed: string | undefined;
  readonly topic: string;
  readonly partition: number;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }

  get key(): string {
    return `${this.topic}/${this.partition}`;
  }
}

/** One held partition as /debug/state shows it: why it may be paused, what waits in it. */
export type PartitionState = {
  readonly topic: string;
  readonly partition: number;
  /** Records in hand without a final outcome. */
  readonly pending: number;
  readonly retrying: number;
  readonly pausedForMemory: boolean;
  readonly committed: string | undefined;
  readonly stalledSince: number | undefined;
};

/** This member's leases of the current generation, by `topic/partition`. */
export class Leases {
  #leases = new Map<string, Lease>();

  get(topic: string, partition: number): Lease | undefined {
    return this.#leases.get(`${topic}/${partition}`);
  }

  values(): IterableIterator<Lease> {
    return this.#leases.values();
  }

  /** A new generation: every earlier lease is revoked (no more commits), new ones start clean. */
  assign(assignment: Readonly<Record<string, readonly number[]>>): Lease[] {
    this.revokeAll();
    return this.add(assignment);
  }

  /**
   * An incremental assignment (cooperative, KIP-848): fresh leases for the added partitions; the
   * leases held go on, since the client keeps fetching those partitions from where it was. A
   * partition already held keeps its lease (its watermark knows what is in flight).
   */
  add(assignment: Readonly<Record<string, readonly number[]>>): Lease[] {
    const fresh: Lease[] = [];
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const p of partitions) {
        if (this.get(topic, p) !== undefined) continue;
        const lease = new Lease(topic, p);
        this.#leases.set(lease.key, lease);
        fresh.push(lease);
      }
    }
    return fresh;
  }

  /** An incremental revocation: these partitions' leases end (no more commits); the rest stay. */
  revoke(assignment: Readonly<Record<string, readonly number[]>>): void {
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const p of partitions) {
        const lease = this.get(topic, p);
        if (lease === undefined) continue;
        lease.revoked = true;
        this.#leases.delete(lease.key);
      }
    }
  }

  revokeAll(): void {
    for (const lease of this.#leases.values()) lease.revoked = true;
    this.#leases = new Map();
  }

  /** Per partition, the offset to commit when it moved since the last commit. */
  commitPoints(): CommitPoint[] {
    const points: CommitPoint[] = [];
    for (const lease of this.#leases.values()) {
      const offset = lease.watermark.committable();
      if (offset !== undefined && offset !== lease.committed)
        points.push({ topic: lease.topic, partition: lease.partition, offset });
    }
    return points;
  }

  markCommitted(points: readonly CommitPoint[]): void {
    for (const p of points) {
      const lease = this.get(p.topic, p.partition);
      if (lease !== undefined) lease.committed = p.offset;
    }
  }

  describe(): PartitionState[] {
    return [...this.#leases.values()].map((l) => ({
      topic: l.topic,
      partition: l.partition,
      pending: l.watermark.pending,
      retrying: l.retrying,
      pausedForMemory: l.pausedForMemory,
      committed: l.committed,
      stalledSince: l.watermark.stalledSince(),
    }));
  }

  /** Partitions paused for retries or memory. */
  paused(): number {
    let n = 0;
    for (const l of this.#leases.values()) if (l.retrying > 0 || l.pausedForMemory) n++;
    return n;
  }

  /**
   * Over the buffer limit every partition pauses, not only the one whose batch crossed it: each
   * other partition would otherwise still deliver a whole batch (up to 1 MiB) before pausing —
   * measured, 12 partitions took 15 k records in hand against a limit of 5 000.
   */
  pauseForMemory(flow: Flow): void {
    for (const lease of this.#leases.values()) {
      if (lease.pausedForMemory) continue;
      lease.pausedForMemory = true;
      flow.pause(lease.topic, lease.partition);
    }
  }

  /** Below half the limit again: partitions resume, except those still waiting on retries. */
  resumeAfterMemory(flow: Flow): void {
    for (const lease of this.#leases.values()) {
      if (!lease.pausedForMemory) continue;
      lease.pausedForMemory = false;
      if (lease.retrying === 0) flow.resume(lease.topic, lease.partition);
    }
  }

  /** The earliest time since which a watermark stood still with records waiting. */
  stalledSince(): number | undefined {
    let since: number | undefined;
    for (const lease of this.#leases.values()) {
      const s = lease.watermark.stalledSince();
      if (s !== undefined && (since === undefined || s < since)) since = s;
    }
    return since;
  }
}
