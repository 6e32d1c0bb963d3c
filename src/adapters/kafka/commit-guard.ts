// No commit for a partition this member does not own in the generation the commit carries.
//
// kafkajs 2.2.4 (pinned in package.json) runs consumer.commitOffsets in the runner's retrier
// (consumer/runner.js:486-515): a retriable failure (connection reset, request timeout,
// NOT_COORDINATOR) is tried again after a backoff of up to KAFKA retry's maxRetryTime. Each attempt
// calls consumerGroup.commitOffsets (consumerGroup.js:434-436), which reads `this.offsetManager`
// afresh, and the OffsetManager stamps its own generation on the request
// (offsetManager/index.js:246-256). A rejoin during the backoff replaces the OffsetManager with one
// of the new generation and assignment (consumerGroup.js:310-326), so the retry of offsets taken
// from the old generation's leases goes out with the new generation, which the coordinator accepts
// for any partition. (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION and UNKNOWN_MEMBER_ID are not
// retried: protocol/error.js marks them non-retriable.)
//
// kafkajs has no hook between its retries, so the one function that stamps the generation is
// wrapped: a commit naming a partition outside that OffsetManager's assignment is refused, not
// retried (the retrier gives up on an error with retriable=false, retry/index.js:17-18), and the
// next periodic commit is computed from the new generation's leases.

import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

type Commit = { topics?: { topic: string; partitions: { partition: number }[] }[] };
type OffsetManager = {
  memberAssignment: Record<string, number[]>;
  generationId: number;
  commitOffsets(this: OffsetManager, offsets?: Commit): Promise<void>;
};

const KAFKAJS_VERSION = "2.2.4";
const GUARDED = Symbol.for("cdc-dynamodb-sink.commit-guard");

/** Thrown instead of a commit that names partitions revoked by a rebalance. */
export class RevokedPartitionCommit extends Error {
  readonly retriable = false;
  constructor(generationId: number, partitions: readonly string[]) {
    super(
      `commit refused after a rebalance: partitions not assigned to this member ` +
        `in generation ${generationId}: ${partitions.join(", ")}`,
    );
    this.name = "RevokedPartitionCommit";
  }
}

/** Installs the guard once per process; refuses to run on a kafkajs it was not written against. */
export function installCommitGuard(): void {
  const { version } = require("kafkajs/package.json") as { version: string };
  if (version !== KAFKAJS_VERSION)
    throw new Error(`commit-guard.ts reads kafkajs ${KAFKAJS_VERSION} internals; found ${version}`);
  const proto = (require("kafkajs/src/consumer/offsetManager/index.js") as { prototype: OffsetManager })
    .prototype as OffsetManager & { [GUARDED]?: true };
  if (proto[GUARDED]) return;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- always called with .call(this, …)
  const commit = proto.commitOffsets;
  proto.commitOffsets = function (this: OffsetManager, offsets: Commit = {}) {
    const foreign = (offsets.topics ?? []).flatMap(({ topic, partitions }) =>
      partitions
        .filter((p) => !(this.memberAssignment[topic] ?? []).includes(p.partition))
        .map((p) => `${topic}/${p.partition}`),
    );
    if (foreign.length > 0) return Promise.reject(new RevokedPartitionCommit(this.generationId, foreign));
    return commit.call(this, offsets);
  };
  proto[GUARDED] = true;
}
