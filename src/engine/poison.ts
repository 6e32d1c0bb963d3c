// What happens to a poison record (a record that can never be written: docs/semantics.md), per
// topic: POISON_POLICY, or a route's `poisonPolicy`.
//   - dlq (default): published to DLQ_TOPIC with the error's headers, then committed past; without
//     a DLQ the service stops (`poison_without_dlq`), as it always did;
//   - skip: counted as `skipped` (reason `poison`, the error code on the span and in the log) and
//     logged with topic, partition and offset, then committed past: Kafka Connect's
//     `errors.tolerance=all` with `errors.log.enable=true`. The record stays in the topic (until
//     retention) for `cdc-sink explain` at that offset;
//   - stop: the service stops (`poison_stop`, exit 4) and nothing past the record is committed, so
//     a restart meets it again: for deployments where a hole in the table is worse than downtime.

import { ExitCode, FatalError, errorMessage, type PoisonError } from "../core/errors.ts";
import { Outcome, type KafkaRecord } from "../core/types.ts";
import { Released } from "./partition-retry.ts";
import type { DeadLetter, FinishDetail, Log } from "./ports.ts";

export const POISON_POLICIES = ["dlq", "skip", "stop"] as const;
export type PoisonPolicy = (typeof POISON_POLICIES)[number];

/** The skip reason a poison record skipped under `skip` is counted with. */
export const POISON_SKIP_REASON = "poison";

export function where(record: KafkaRecord): string {
  return `${record.topic}/${record.partition}@${record.offset}`;
}

/** The fatal stop for a poison record under `stop`, or under `dlq` without a DLQ. */
export function poisonStop(record: KafkaRecord, err: PoisonError, policy: "dlq" | "stop"): FatalError {
  const what = `poison record at ${where(record)} (${err.code}): ${err.message}`;
  if (policy === "stop")
    return new FatalError(
      "poison_stop",
      `${what}. POISON_POLICY=stop: nothing past it was committed; fix the producer or the ` +
        "configuration, or set POISON_POLICY=dlq or skip for that topic",
      ExitCode.poisonWithoutDlq,
    );
  return new FatalError(
    "poison_without_dlq",
    `${what}. Set DLQ_TOPIC to dead-letter such records; nothing past it was committed`,
    ExitCode.poisonWithoutDlq,
  );
}

/** What handling one poison record needs from the processor, bound to the record's partition. */
export type PoisonContext = {
  readonly policy: PoisonPolicy;
  readonly deadLetter: DeadLetter | undefined;
  readonly log: Log;
  readonly onFatal: (err: Error) => void;
  /** Retries transient errors with the partition paused; throws Released on shutdown. */
  readonly retry: (work: () => Promise<void>) => Promise<void>;
  readonly finish: (outcome: Outcome, detail: FinishDetail) => void;
  readonly release: () => void;
};

/** A poison record, handled by its topic's policy: dead-lettered, skipped, or a fatal stop. */
export async function handlePoison(ctx: PoisonContext, record: KafkaRecord, err: PoisonError): Promise<void> {
  const fields = { topic: record.topic, partition: record.partition, offset: record.offset, code: err.code };
  if (ctx.policy === "skip") {
    ctx.log.warn(fields, `poison record skipped (POISON_POLICY=skip): ${errorMessage(err)}`);
    ctx.finish(Outcome.skipped, { error: err, skipReason: POISON_SKIP_REASON });
    return;
  }
  const dlq = ctx.deadLetter;
  if (ctx.policy === "stop" || dlq === undefined) {
    ctx.onFatal(poisonStop(record, err, ctx.policy));
    return;
  }
  try {
    await ctx.retry(() => dlq.publish(record, err, 1));
  } catch (e) {
    if (e instanceof Released) return ctx.release();
    throw e;
  }
  ctx.log.warn(fields, `dead-lettered: ${errorMessage(err)}`);
  ctx.finish(Outcome.deadLettered, { error: err });
}
