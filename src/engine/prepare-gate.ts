// Preparation before decoding (Avro schemas fetched from a registry): a partition's batches are
// decoded in offset order, so a batch waits for the preparation of every earlier batch of its
// lease as well as its own. Transient preparation errors are retried with the partition paused,
// like a write's (engine/partition-retry.ts).

import type { KafkaRecord } from "../core/types.ts";
import type { Lease } from "./lease.ts";
import { Released, type PartitionRetry } from "./partition-retry.ts";

export type Prepare = (records: readonly KafkaRecord[]) => Promise<void> | undefined;

export type PrepareGateDeps = {
  /** Undefined when decoding never needs preparation; it returns undefined when this batch doesn't. */
  readonly prepare: Prepare | undefined;
  readonly retry: PartitionRetry;
  /** Tracks background work (a rejection is the processor's fatal stop). */
  readonly track: (work: Promise<void>) => Promise<void>;
  /** True once the records may no longer be decoded (shutdown, or the lease revoked). */
  readonly gone: (lease: Lease) => boolean;
  readonly decode: (lease: Lease, records: readonly KafkaRecord[]) => void;
  readonly release: (records: readonly KafkaRecord[]) => void;
};

export class PrepareGate {
  readonly #d: PrepareGateDeps;
  /** Per lease, the preparation its newest batch waits for; absent when none is pending. */
  readonly #pending = new WeakMap<Lease, Promise<void>>();

  constructor(deps: PrepareGateDeps) {
    this.#d = deps;
  }

  /** Decodes `records` now when nothing is to wait for, else once the preparations settle. */
  admit(lease: Lease, records: KafkaRecord[]): void {
    const earlier = this.#pending.get(lease);
    const ready = earlier === undefined ? this.#d.prepare?.(records) : undefined;
    if (earlier === undefined && ready === undefined) this.#d.decode(lease, records);
    else this.#later(lease, records, earlier, ready);
  }

  #later(
    lease: Lease,
    records: KafkaRecord[],
    earlier: Promise<void> | undefined,
    first: Promise<void> | undefined,
  ): void {
    const run = async (): Promise<void> => {
      await earlier;
      if (records.length === 0) return;
      let pending = first;
      try {
        await this.#d.retry.run(lease, records[0]!, async () => {
          // The first attempt is the one admit started; each retry asks afresh.
          const attempt = pending ?? this.#d.prepare?.(records);
          pending = undefined;
          await attempt;
        });
      } catch (err) {
        if (err instanceof Released) return this.#d.release(records);
        throw err;
      }
      if (this.#d.gone(lease)) return this.#d.release(records);
      this.#d.decode(lease, records);
    };
    const gate = this.#d.track(run());
    this.#pending.set(lease, gate);
    void gate.finally(() => {
      if (this.#pending.get(lease) === gate) this.#pending.delete(lease);
    });
  }
}
