// One partition as this member holds it in one group generation. A rebalance revokes every lease:
// its queued records are handed back to Kafka and it gets no further commits, so a commit from this
// member can never land for a partition another member now owns. A partition assigned again gets a
// fresh lease; the old one's in-flight writes finish harmlessly (they are conditional).

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
