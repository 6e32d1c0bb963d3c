// A Sink that sends concurrent write() calls together as TransactWriteItems chunks. Each call still
// gets its own outcome or its own classified error, exactly as the PutItem sink would give it, so
// the processor needs no change:
//   - every item is the PutItem sink's conditional put (buildPut), with ALL_OLD per item;
//   - one refused condition cancels the whole transaction; CancellationReasons (same order as the
//     items) then say, per item: ConditionalCheckFailed with the old item → duplicate or stale
//     (refusedOutcome), None → not evaluated or passed, re-sent in the next chunk, anything else →
//     that item's own classified error (TransactionConflict and throttling are transient);
//   - a transaction may not touch one item twice, so a second write of a key waits for a later chunk;
//   - a ValidationException of the request as a whole cannot be pinned on one item: each item is
//     then sent alone as a PutItem, so the record at fault, and only it, is poison.
// Cost: a transactional write costs 2 WCU per item on real DynamoDB (goal G9, docs/performance.md), hence
// write-mode.ts sends
// real AWS traffic through the PutItem sink unless asked otherwise.

import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { TruncateResult } from "../../core/truncate.ts";
import { Outcome, type ChangeEvent, type TruncateEvent, type WriteOutcome } from "../../core/types.ts";
import { itemKey } from "../../core/identity.ts";
import { canonicalJson, type JsonValue } from "../../core/json.ts";
import { classifyAwsError } from "./errors.ts";
import { sendTransact } from "./wire.ts";
import { DynamoDbSink, type SinkHooks } from "./put-sink.ts";
import { cancelledOutcome, isHard, transactItems, type TransactItem } from "../../core/hard-delete.ts";
import type { CapacityMeter, Sink } from "../../engine/ports.ts";
import { consumedUnits, estimatedActionUnits } from "./capacity.ts";
import type { ItemOptions, Position } from "../../core/item.ts";
import type { Item } from "../../core/attribute-value.ts";
import { itemSize } from "../../core/marshal.ts";
import { HardDeleteSink } from "./hard-sink.ts";

/** DynamoDB's limits of one TransactWriteItems request. */
export const TRANSACT_MAX_ITEMS = 100;
const TRANSACT_MAX_BYTES = 4_000_000;

export type BatchOptions = {
  /** Items per transaction, 1–100. */
  readonly maxItems: number;
  /** How long a partial chunk waits for more writes; 0 = until the current burst of calls ends. */
  readonly windowMs: number;
};

type Waiting = {
  readonly event: ChangeEvent;
  readonly at: Position;
  readonly key: string;
  readonly resolve: (outcome: WriteOutcome) => void;
  readonly reject: (err: unknown) => void;
  readonly meter: CapacityMeter | undefined;
};

type Reason = { Code?: string; Item?: Item };

// CancellationReasons codes → the exception names the taxonomy (aws-errors.ts) already knows.
export const REASON_NAMES: Readonly<Record<string, string>> = {
  TransactionConflict: "TransactionConflictException",
  ThrottlingError: "ThrottlingException",
  ProvisionedThroughputExceeded: "ProvisionedThroughputExceededException",
  RequestLimitExceeded: "RequestLimitExceeded",
  ValidationError: "ValidationException",
  ItemCollectionSizeLimitExceeded: "ItemCollectionSizeLimitExceededException",
};

export class TransactBatchSink implements Sink {
  readonly #client: DynamoDBClient;
  readonly #options: ItemOptions;
  readonly #hooks: SinkHooks;
  readonly #batch: BatchOptions;
  /** One record alone, as PutItem mode sends it (the hard-delete sink for `deletes: "hard"`). */
  readonly #single: DynamoDbSink | HardDeleteSink;
  /** Actions per record: 2 under `deletes: "hard"` (the row's and its companion tombstone's). */
  readonly #actions: number;
  #waiting: Waiting[] = [];
  /** Keys of items in a transaction that has not answered yet. */
  readonly #busy = new Set<string>();
  #scheduled = false;

  constructor(client: DynamoDBClient, options: ItemOptions, batch: BatchOptions, hooks: SinkHooks = {}) {
    if (!Number.isInteger(batch.maxItems) || batch.maxItems < 1 || batch.maxItems > TRANSACT_MAX_ITEMS)
      throw new RangeError(`maxItems must be 1–${TRANSACT_MAX_ITEMS}`);
    this.#client = client;
    this.#options = options;
    this.#hooks = hooks;
    this.#batch = batch;
    // beforeSend already ran for an item that falls back to a PutItem of its own.
    const single = hooks.now === undefined ? {} : { now: hooks.now };
    this.#single = isHard(options)
      ? new HardDeleteSink(client, options, single)
      : new DynamoDbSink(client, options, single);
    this.#actions = isHard(options) ? 2 : 1;
  }

  /** Item by item, as PutItems: a truncate's tombstones are not one transaction's worth. */
  truncate(
    event: TruncateEvent,
    at: Position,
    onPage?: (page: TruncateResult) => void,
  ): Promise<TruncateResult> {
    if (!(this.#single instanceof DynamoDbSink))
      throw new Error('truncate apply is refused at start-up with deletes: "hard"');
    return this.#single.truncate(event, at, onPage);
  }

  estimateUnits(event: ChangeEvent, at: Position): number {
    return estimatedActionUnits(transactItems(event, at, this.#options, 0));
  }

  write(event: ChangeEvent, at: Position, meter?: CapacityMeter): Promise<WriteOutcome> {
    return new Promise<WriteOutcome>((resolve, reject) => {
      this.#waiting.push({ event, at, key: this.#itemKey(event), resolve, reject, meter });
      if (this.#batch.windowMs > 0 && this.#waiting.length >= this.#maxRecords()) this.#flush();
      else this.#schedule();
    });
  }

  /**
   * The item a write touches: one transaction may not touch it twice. A mapped key may be shared by
   * two rows (a collision, refused by the condition); a key that cannot be built is the record's
   * poison, reported when its put is built.
   */
  #itemKey(event: ChangeEvent): string {
    const mapping = this.#options.mapping;
    if (mapping === undefined) return itemKey(event.source, event.id);
    try {
      return canonicalJson(
        Object.values(mapping.key(event)).map((v) => v.S ?? v.N ?? v.B ?? null) as JsonValue[],
      );
    } catch {
      return itemKey(event.source, event.id);
    }
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    const run = (): void => {
      this.#scheduled = false;
      this.#flush();
    };
    if (this.#batch.windowMs > 0) setTimeout(run, this.#batch.windowMs);
    else setImmediate(run); // after the current burst of write() calls
  }

  /**
   * Sends what is waiting in chunks. A key already in a chunk, or in a transaction still in flight,
   * waits: one transaction may not touch an item twice, and two in flight would race (or conflict)
   * on it. The end of that transaction flushes again.
   */
  /** Records per transaction: its 100 actions shared out. */
  #maxRecords(): number {
    return Math.min(this.#batch.maxItems, Math.floor(TRANSACT_MAX_ITEMS / this.#actions));
  }

  #flush(): void {
    const max = this.#maxRecords();
    while (this.#waiting.length > 0) {
      const chunk: Waiting[] = [];
      const later: Waiting[] = [];
      for (const w of this.#waiting) {
        if (chunk.length < max && !this.#busy.has(w.key)) {
          this.#busy.add(w.key);
          chunk.push(w);
        } else later.push(w);
      }
      this.#waiting = later;
      if (chunk.length > 0) void this.#send(chunk);
      if (chunk.length < max) return;
    }
  }

  async #send(chunk: readonly Waiting[]): Promise<void> {
    const now = (this.#hooks.now ?? Date.now)();
    const sent: { w: Waiting; items: TransactItem[]; units: number }[] = [];
    const overflow: Waiting[] = [];
    let bytes = 0;
    for (const w of chunk) {
      try {
        if (this.#hooks.beforeSend !== undefined) await this.#hooks.beforeSend(w.event);
        const items = transactItems(w.event, w.at, this.#options, now);
        const size = items.reduce((n, a) => n + ("Put" in a ? itemSize(a.Put.Item!) : 0), 0);
        if (bytes + size > TRANSACT_MAX_BYTES && sent.length > 0) overflow.push(w);
        else {
          bytes += size;
          sent.push({ w, items, units: estimatedActionUnits(items) });
        }
      } catch (err) {
        this.#done(w);
        this.#fail(w, err);
      }
    }
    for (const w of overflow) this.#done(w);
    this.#requeue(overflow);
    if (sent.length === 0) return;
    let answer: { ok: true; units: number | undefined } | { ok: false; err: unknown };
    try {
      const reply = await sendTransact(this.#client, {
        TransactItems: sent.flatMap(({ items }) => items),
        ReturnConsumedCapacity: "TOTAL",
      });
      answer = { ok: true, units: consumedUnits(reply) };
    } catch (err) {
      answer = { ok: false, err };
    }
    for (const { w } of sent) this.#done(w);
    if (answer.ok) {
      // The transaction's units, shared out in proportion to each item's estimate.
      const estimated = sent.reduce((n, x) => n + x.units, 0);
      const scale = answer.units === undefined ? 1 : answer.units / estimated;
      for (const { w, units } of sent) w.meter?.(units * scale);
      for (const { w } of sent) w.resolve(Outcome.applied);
    } else {
      const err = answer.err;
      const reasons = (err as { CancellationReasons?: Reason[] }).CancellationReasons;
      const actions = sent.reduce((n, x) => n + x.items.length, 0);
      if (reasons !== undefined && reasons.length === actions) this.#settle(sent, reasons);
      else if ((err as { name?: string }).name === "ValidationException")
        for (const { w } of sent) this.#alone(w);
      else for (const { w } of sent) this.#fail(w, err);
    }
    if (this.#waiting.length > 0) this.#schedule();
  }

  #done(w: Waiting): void {
    this.#busy.delete(w.key);
  }

  /** Each record's reasons (its actions' slice, in order) say its outcome, its error, or "again". */
  #settle(
    sent: readonly { w: Waiting; items: TransactItem[]; units: number }[],
    reasons: readonly Reason[],
  ): void {
    const again: Waiting[] = [];
    let offset = 0;
    for (const { w, items, units } of sent) {
      const own = reasons.slice(offset, offset + items.length);
      offset += items.length;
      let read;
      try {
        read = cancelledOutcome(w.event, own, this.#options.mapping);
      } catch (err) {
        w.reject(err);
        continue;
      }
      if (read === undefined) again.push(w);
      else if ("outcome" in read) {
        w.meter?.(units); // a refused condition is charged; the cancellation does not say how much
        w.resolve(read.outcome);
      } else {
        const name = REASON_NAMES[read.code] ?? read.code;
        this.#fail(
          w,
          Object.assign(new Error(`transaction cancelled for this item: ${read.code}`), { name }),
        );
      }
    }
    this.#requeue(again);
  }

  /** Back to the front of the queue, sent at once: their chunk's other items were refused. */
  #requeue(waiting: Waiting[]): void {
    if (waiting.length === 0) return;
    this.#waiting = [...waiting, ...this.#waiting];
    this.#flush();
  }

  #alone(w: Waiting): void {
    this.#single.write(w.event, w.at, w.meter).then(w.resolve, w.reject);
  }

  #fail(w: Waiting, err: unknown): void {
    try {
      w.reject(classifyAwsError(err, this.#options.table));
    } catch (programming) {
      w.reject(programming); // a programming error is never classified: it reaches the processor as is
    }
  }
}
