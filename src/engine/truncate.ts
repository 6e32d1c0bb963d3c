// A truncate under TRUNCATE_POLICY=apply (docs/formats/truncate.md). Its tombstones must cover every
// item the records before it wrote, so it waits at a per-partition barrier: until every earlier
// record of its partition has its final outcome (the watermark has reached the truncate's offset).
// Records after it are not held back: a row written after the truncate carries a newer version,
// and the tombstone's condition (version < truncate) leaves it alone whichever write lands first.
// Only once every item of the source has been scanned and tombstoned does the truncate finish, so
// its offset is committable only then; a crash before replays it, and the rerun writes only what is
// missing (the tombstones already there are its own version: refused as duplicates).

import { errorMessage, PoisonError } from "../core/errors.ts";
import { Outcome, type KafkaRecord, type TruncateEvent } from "../core/types.ts";
import type { Lease } from "./lease.ts";
import { Released } from "./partition-retry.ts";
import type { FinishDetail, Log, Sink } from "./ports.ts";
import { sleep } from "./retry.ts";
import type { Stats } from "./stats.ts";

/** How often the barrier looks at the watermark: a truncate is rare, the wait short. */
const BARRIER_POLL_MS = 10;

/** What applying one truncate needs from the processor, bound to the record's partition. */
export type TruncateContext = {
  readonly lease: Lease;
  readonly sink: Sink;
  readonly stats: Stats;
  readonly log: Log;
  readonly signal: AbortSignal;
  /** True once the records of the lease are to be handed back (shutdown, revocation). */
  readonly gone: () => boolean;
  /** Retries transient errors with the partition paused; throws Released on shutdown. */
  readonly retry: <T>(work: () => Promise<T>) => Promise<T>;
  readonly finish: (outcome: Outcome, detail?: FinishDetail) => void;
  readonly release: () => void;
  readonly poison: (err: PoisonError) => Promise<void>;
};

/** Resolves true once every record of the lease before `offset` is final; false when it is gone. */
export async function barrier(ctx: TruncateContext, offset: string): Promise<boolean> {
  const at = BigInt(offset);
  for (;;) {
    if (ctx.gone()) return false;
    // The first offset without an outcome: the truncate's own, once all before it are final.
    if (BigInt(ctx.lease.watermark.committable() ?? offset) >= at) return true;
    await sleep(BARRIER_POLL_MS, ctx.signal);
  }
}

export async function applyTruncate(
  ctx: TruncateContext,
  record: KafkaRecord,
  event: TruncateEvent,
): Promise<void> {
  const fields = { topic: record.topic, partition: record.partition, offset: record.offset };
  const truncate = ctx.sink.truncate?.bind(ctx.sink);
  if (truncate === undefined) {
    // `run --dry-run`'s sink reads single items and writes nothing: it does not scan for a truncate.
    ctx.log.warn({ ...fields, source: event.source }, "truncate not applied: this sink cannot scan");
    return ctx.finish(Outcome.skipped, { skipReason: "truncate" });
  }
  if (!(await barrier(ctx, record.offset))) return ctx.release();
  let tombstoned = 0;
  let untouched = 0;
  try {
    // A retry scans again from the start; what the failed attempt tombstoned counts once, there.
    await ctx.retry(async () => {
      untouched = 0;
      await truncate(event, record, (page) => {
        tombstoned += page.tombstoned;
        untouched += page.untouched;
        ctx.stats.truncated(record.topic, record.partition, page.tombstoned);
      });
    });
  } catch (err) {
    if (err instanceof Released) return ctx.release();
    if (!(err instanceof PoisonError)) throw err;
    ctx.log.warn(
      { ...fields, tombstoned },
      `truncate failed after ${tombstoned} tombstones: ${errorMessage(err)}`,
    );
    return ctx.poison(err);
  }
  ctx.log.info(
    { ...fields, source: event.source, version: event.version, tombstoned, untouched },
    `truncate applied: ${tombstoned} items of ${event.source} tombstoned, ${untouched} left (newer or already tombstoned)`,
  );
  ctx.finish(tombstoned > 0 ? Outcome.applied : Outcome.duplicate);
}
