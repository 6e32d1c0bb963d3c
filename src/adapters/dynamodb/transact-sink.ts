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

import type { DynamoDBClient, PutItemCommandInput } from "@aws-sdk/client-dynamodb";
import type { TruncateResult } from "../../core/truncate.ts";
import { Outcome, type ChangeEvent, type TruncateEvent, type WriteOutcome } from "../../core/types.ts";
import { itemKey } from "../../core/identity.ts";
import { canonicalJson, type JsonValue } from "../../core/json.ts";
import { classifyAwsError } from "./errors.ts";
import { sendTransact } from "./wire.ts";
import { DynamoDbSink, type SinkHooks } from "./put-sink.ts";
import { refusedOf, writeRequest } from "../../core/write.ts";
import type { CapacityMeter, Sink } from "../../engine/ports.ts";
import { writeUnits } from "../../engine/write-budget.ts";
import { consumedUnits, estimatedUnits } from "./capacity.ts";
import type { ItemOptions, Position } from "../../core/item.ts";
import type { Item } from "../../core/attribute-value.ts";
import { itemSize } from "../../core/marshal.ts";

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
const REASON_NAMES: Readonly<Record<string, string>> = {
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
  readonly #single: DynamoDbSink;
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
    this.#single = new DynamoDbSink(client, options, hooks.now === undefined ? {} : { now: hooks.now });
  }

  /** Item by item, as PutItems: a truncate's tombstones are not one transaction's worth. */
  truncate(
    event: TruncateEvent,
    at: Position,
    onPage?: (page: TruncateResult) => void,
  ): Promise<TruncateResult> {
    return this.#single.truncate(event, at, onPage);
  }

  estimateUnits(event: ChangeEvent, at: Position): number {
    return estimatedUnits(writeRequest(event, at, this.#options, 0), true);
  }

  write(event: ChangeEvent, at: Position, meter?: CapacityMeter): Promise<WriteOutcome> {
    return new Promise<WriteOutcome>((resolve, reject) => {
      this.#waiting.push({ event, at, key: this.#itemKey(event), resolve, reject, meter });
      if (this.#batch.windowMs > 0 && this.#waiting.length >= this.#batch.maxItems) this.#flush();
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
  #flush(): void {
    while (this.#waiting.length > 0) {
      const chunk: Waiting[] = [];
      const later: Waiting[] = [];
      for (const w of this.#waiting) {
        if (chunk.length < this.#batch.maxItems && !this.#busy.has(w.key)) {
          this.#busy.add(w.key);
          chunk.push(w);
        } else later.push(w);
      }
      this.#waiting = later;
      if (chunk.length > 0) void this.#send(chunk);
      if (chunk.length < this.#batch.maxItems) return;
    }
  }

  async #send(chunk: readonly Waiting[]): Promise<void> {
    const now = (this.#hooks.now ?? Date.now)();
    const sent: { w: Waiting; put: PutItemCommandInput; units: number }[] = [];
    const overflow: Waiting[] = [];
    let bytes = 0;
    for (const w of chunk) {
      try {
        if (this.#hooks.beforeSend !== undefined) await this.#hooks.beforeSend(w.event);
        const put = writeRequest(w.event, w.at, this.#options, now);
        const size = itemSize(put.Item!);
        if (bytes + size > TRANSACT_MAX_BYTES && sent.length > 0) overflow.push(w);
        else {
          bytes += size;
          sent.push({ w, put, units: writeUnits(size, true) });
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
        TransactItems: sent.map(({ put }) => ({ Put: put })),
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
      if (reasons !== undefined && reasons.length === sent.length) this.#settle(sent, reasons);
      else if ((err as { name?: string }).name === "ValidationException")
        for (const { w } of sent) this.#alone(w);
      else for (const { w } of sent) this.#fail(w, err);
    }
    if (this.#waiting.length > 0) this.#schedule();
  }

  #done(w: Waiting): void {
    this.#busy.delete(w.key);
  }

  #settle(sent: readonly { w: Waiting; units: number }[], reasons: readonly Reason[]): void {
    const again: Waiting[] = [];
    sent.forEach(({ w, units }, i) => {
      const reason = reasons[i]!;
      const code = reason.Code ?? "None";
      if (code === "None") again.push(w);
      else if (code === "ConditionalCheckFailed") {
        try {
          const outcome = refusedOf(w.event, reason.Item, this.#options.mapping);
          w.meter?.(units); // a refused condition is charged; the cancellation does not say how much
          w.resolve(outcome);
        } catch (err) {
          w.reject(err);
        }
      } else {
        const name = REASON_NAMES[code] ?? code;
        this.#fail(w, Object.assign(new Error(`transaction cancelled for this item: ${code}`), { name }));
      }
    });
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
