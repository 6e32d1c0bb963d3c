// The processing core between Kafka and the sink. The Kafka adapter hands over a batch and gets
// control back at once (kafkajs's fetcher waits for every handler before fetching again, so a
// partition stuck in retries would otherwise stall all others); the records are then written here:
//   - records of one key in order (a chain per item key, work.ts), different keys concurrently,
//     bounded by the adaptive limiter;
//   - within a batch only the newest version of a key is written (coalesce.ts);
//   - every record gets exactly one final outcome, and only then may the watermark pass it;
//   - a truncate to apply waits for the records before it in its partition (engine/truncate.ts).

import { PoisonError } from "../core/errors.ts";
import { decodeKafkaRecord } from "../core/record.ts";
import { itemKey } from "../core/identity.ts";
import { Outcome, type DecodeOptions, type KafkaRecord, type WriteOutcome } from "../core/types.ts";
import { newestFirst, type Candidate } from "./coalesce.ts";
import { decodeSafely, type Decode } from "./decode.ts";
import { FailureReporter, guard } from "./guard.ts";
import { Lease, Leases, type PartitionState } from "./lease.ts";
import type { AdaptiveLimiter } from "./limiter.ts";
import type { CommitPoint, DeadLetter, FinishDetail, Flow, Log, RecordObserver, Sink } from "./ports.ts";
import type { BackoffPolicy } from "./retry.ts";
import type { Stats } from "./stats.ts";
import { handlePoison, type PoisonContext, type PoisonPolicy } from "./poison.ts";
import { PartitionRetry, Released } from "./partition-retry.ts";
import { PrepareGate, type Prepare } from "./prepare-gate.ts";
import { applyTruncate, type TruncateContext } from "./truncate.ts";
import { WriteGate } from "./write-gate.ts";
import { Work } from "./work.ts";
import type { CircuitBreaker } from "./breaker.ts";
import type { WriteBudget } from "./write-budget.ts";

export type ProcessorDeps = {
  readonly sinkFor: (topic: string) => Sink;
  readonly decodeOptions: (topic: string) => DecodeOptions;
  /** The record decoder; the core's by default (tests inject failures here). */
  readonly decode?: Decode | undefined;
  /**
   * Makes what decoding `records` needs available (Avro schemas from a registry); undefined when
   * it already is. Its transient errors are retried with the partition paused, like a write's;
   * the partition's later batches wait behind it, so records are still decoded in offset order.
   */
  readonly prepare?: Prepare | undefined;
  readonly deadLetter: DeadLetter | undefined;
  /** What a topic's poison records get (engine/poison.ts); `dlq` when absent. */
  readonly poisonPolicy?: ((topic: string) => PoisonPolicy) | undefined;
  readonly limiter: AdaptiveLimiter;
  /** The store's circuit breaker (engine/breaker.ts), shared by every partition; none when absent. */
  readonly breaker?: CircuitBreaker | undefined;
  /** A topic's write budget (engine/write-budget.ts); undefined: its writes are not budgeted. */
  readonly budgetFor?: ((topic: string) => WriteBudget | undefined) | undefined;
  readonly backoff: BackoffPolicy;
  readonly stats: Stats;
  readonly maxBuffered: number;
  readonly flow: Flow;
  readonly onFatal: (err: Error) => void;
  readonly log: Log;
  readonly observer?: RecordObserver | undefined;
};

export class Processor {
  readonly #d: ProcessorDeps;
  readonly #obs: RecordObserver;
  readonly #decode: Decode;
  readonly #leases = new Leases();
  readonly #work: Work;
  readonly #abort = new AbortController();
  readonly #retry: PartitionRetry;
  readonly #gate: PrepareGate;
  readonly #writes: WriteGate;
  #buffered = 0;

  constructor(deps: ProcessorDeps) {
    this.#d = deps;
    this.#decode = deps.decode ?? decodeKafkaRecord;
    this.#work = new Work(deps.onFatal);
    this.#obs = guard(deps.observer ?? {}, new FailureReporter(deps.log, "record observer"));
    this.#retry = new PartitionRetry({ ...deps, signal: this.#abort.signal, observer: this.#obs });
    this.#writes = new WriteGate(deps);
    this.#gate = new PrepareGate({
      prepare: deps.prepare,
      retry: this.#retry,
      track: (work) => this.#work.track(work),
      gone: (lease) => this.stopping || lease.revoked,
      decode: (lease, records) => this.#decodeAll(lease, records),
      release: (records) => this.#release(records.map((record) => ({ record }))),
    });
  }

  get buffered(): number {
    return this.#buffered;
  }

  /** The earliest time since which a current partition's watermark stood still with records waiting. */
  stalledSince(): number | undefined {
    return this.#leases.stalledSince();
  }

  get stopping(): boolean {
    return this.#abort.signal.aborted;
  }

  pausedPartitions(): number {
    return this.#leases.paused();
  }

  /** Each held partition's state (the health server's /debug/state). */
  partitions(): PartitionState[] {
    return this.#leases.describe();
  }

  /** A new generation: every earlier lease is revoked (no more commits), new ones start clean. */
  assign(assignment: Readonly<Record<string, readonly number[]>>): void {
    for (const lease of this.#leases.assign(assignment)) this.#d.flow.resume(lease.topic, lease.partition);
  }

  /** Every lease revoked: a rebalance started, or the member left the group. */
  revokeAll(): void {
    this.#leases.revokeAll();
  }

  /** Incremental protocols: partitions added to the ones held (which keep their leases). */
  addPartitions(assignment: Readonly<Record<string, readonly number[]>>): void {
    for (const lease of this.#leases.add(assignment)) this.#d.flow.resume(lease.topic, lease.partition);
  }

  /** Incremental protocols: these partitions' leases end; their queued records are never committed. */
  revokePartitions(assignment: Readonly<Record<string, readonly number[]>>): void {
    this.#leases.revoke(assignment);
  }

  enqueue(topic: string, partition: number, records: readonly KafkaRecord[]): void {
    if (this.stopping) return; // never registered: Kafka delivers them again
    let lease = this.#leases.get(topic, partition);
    if (lease === undefined) {
      // Not in this member's current assignment (kafkajs fetches only after GROUP_JOIN, so this is
      // a straggler): its records are released, never committed; the partition's owner has them.
      lease = new Lease(topic, partition);
      lease.revoked = true;
    }
    const fresh: KafkaRecord[] = [];
    for (const record of records) {
      if (!lease.watermark.register(record.offset)) continue; // already in hand in this lease
      this.#buffered++;
      this.#d.stats.consumed(topic, partition);
      this.#obs.received?.(record);
      fresh.push(record);
    }
    this.#gate.admit(lease, fresh);
    if (this.#buffered > this.#d.maxBuffered) this.#leases.pauseForMemory(this.#d.flow);
  }

  #decodeAll(lease: Lease, records: readonly KafkaRecord[]): void {
    if (records.length === 0) return;
    const options = this.#d.decodeOptions(lease.topic);
    const groups = new Map<string, Candidate[]>();
    for (const record of records) {
      let decoded;
      try {
        decoded = decodeSafely(this.#decode, record, options);
      } catch (err) {
        const poison = err as PoisonError;
        void this.#work.track(this.#within(record, () => this.#deadLetter(lease, record, poison)));
        continue;
      }
      if (decoded.kind === "skip") {
        this.#finish(lease, record, Outcome.skipped, { skipReason: decoded.reason });
        continue;
      }
      if (decoded.kind === "truncate") {
        const event = decoded.event;
        void this.#work.track(
          this.#within(record, () => applyTruncate(this.#truncating(lease, record), record, event)),
        );
        continue;
      }
      this.#obs.decoded?.(record, decoded.event);
      const pk = itemKey(decoded.event.source, decoded.event.id);
      const group = groups.get(pk);
      if (group === undefined) groups.set(pk, [{ event: decoded.event, record }]);
      else group.push({ event: decoded.event, record });
    }
    for (const [pk, group] of groups) this.#work.chain(pk, () => this.#runGroup(lease, group));
  }

  commitPoints(): CommitPoint[] {
    return this.#leases.commitPoints();
  }

  markCommitted(points: readonly CommitPoint[]): void {
    this.#leases.markCommitted(points);
  }

  /** Stops starting work; retries and queued records are released to Kafka. */
  stop(): void {
    this.#abort.abort();
  }

  /** Waits for in-flight work to settle; false if the deadline came first. */
  drain(timeoutMs: number): Promise<boolean> {
    return this.#work.drain(timeoutMs);
  }

  #finish(lease: Lease, record: KafkaRecord, outcome: Outcome, detail?: FinishDetail): void {
    this.#d.stats.outcome(record.topic, record.partition, outcome);
    if (detail?.skipReason !== undefined)
      this.#d.stats.skipReason(record.topic, record.partition, detail.skipReason);
    this.#obs.finished?.(record, outcome, detail);
    lease.watermark.complete(record.offset);
    this.#leave(1);
  }

  /** Records out of hand, finished or handed back (after a rebalance maybe the last ones in hand). */
  #leave(n: number): void {
    this.#buffered -= n;
    if (this.#buffered < this.#d.maxBuffered / 2) this.#leases.resumeAfterMemory(this.#d.flow);
  }

  #release(records: readonly { record: KafkaRecord }[]): void {
    for (const { record } of records) {
      this.#d.stats.released(record.topic, record.partition);
      this.#obs.released?.(record);
    }
    this.#leave(records.length);
  }

  async #runGroup(lease: Lease, group: Candidate[]): Promise<void> {
    if (this.stopping || lease.revoked) return this.#release(group);
    const candidates = newestFirst(group);
    let winner: { version: string; outcome: WriteOutcome } | undefined;
    let i = 0;
    for (; i < candidates.length && winner === undefined; i++) {
      const c = candidates[i]!;
      try {
        const outcome = await this.#within(c.record, () =>
          this.#retry.run(lease, c.record, () => this.#write(c)),
        );
        winner = { version: c.event.version, outcome };
        this.#finish(lease, c.record, outcome);
      } catch (err) {
        if (err instanceof Released) return this.#release(candidates.slice(i));
        if (!(err instanceof PoisonError)) throw err;
        await this.#within(c.record, () => this.#deadLetter(lease, c.record, err));
      }
    }
    for (const c of candidates.slice(i)) {
      const outcome = c.event.version === winner!.version ? Outcome.duplicate : Outcome.stale;
      this.#finish(lease, c.record, outcome, { coalesced: true });
    }
  }

  #within<T>(record: KafkaRecord, work: () => Promise<T>): Promise<T> {
    let result: Promise<T> | undefined;
    const run = (): Promise<T> => (result ??= work());
    // The observer gets no promise back: the work's own failure is the processor's to handle, not
    // a telemetry failure.
    this.#obs.within?.(record, () => void run());
    return run();
  }

  #write(c: Candidate): Promise<WriteOutcome> {
    return this.#writes.write(this.#d.sinkFor(c.record.topic), c.event, c.record, this.#abort.signal);
  }

  /** What a truncate of this record's partition needs (engine/truncate.ts). */
  #truncating(lease: Lease, record: KafkaRecord): TruncateContext {
    return {
      lease,
      sink: this.#d.sinkFor(record.topic),
      stats: this.#d.stats,
      log: this.#d.log,
      signal: this.#abort.signal,
      gone: () => this.stopping || lease.revoked,
      retry: (work) => this.#retry.run(lease, record, work),
      finish: (outcome, detail) => this.#finish(lease, record, outcome, detail),
      release: () => this.#release([{ record }]),
      poison: (err) => this.#deadLetter(lease, record, err),
    };
  }

  /** A poison record, handled by its topic's POISON_POLICY (engine/poison.ts). */
  #deadLetter(lease: Lease, record: KafkaRecord, err: PoisonError): Promise<void> {
    const context: PoisonContext = {
      policy: this.#d.poisonPolicy?.(record.topic) ?? "dlq",
      deadLetter: this.#d.deadLetter,
      log: this.#d.log,
      onFatal: this.#d.onFatal,
      retry: (work) => this.#retry.run(lease, record, work),
      finish: (outcome, detail) => this.#finish(lease, record, outcome, detail),
      release: () => this.#release([{ record }]),
    };
    return handlePoison(context, record, err);
  }
}
