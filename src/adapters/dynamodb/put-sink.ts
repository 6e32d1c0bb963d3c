// The DynamoDB adapter: sends the conditional write that core/write.ts builds and turns the answer
// into an outcome. `duplicate` and `stale` are told apart without a second read, from the old item
// that ReturnValuesOnConditionCheckFailure=ALL_OLD hands back with the failed condition.

import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  type PutItemCommandInput,
  type PutItemCommandOutput,
} from "@aws-sdk/client-dynamodb";
import type { Item } from "../../core/attribute-value.ts";
import type { TruncateResult } from "../../core/truncate.ts";
import { Outcome, type ChangeEvent, type TruncateEvent, type WriteOutcome } from "../../core/types.ts";
import { refusedOf, writeRequest } from "../../core/write.ts";
import type { CapacityMeter, Sink } from "../../engine/ports.ts";
import { consumedUnits, estimatedUnits } from "./capacity.ts";
import { classifyAwsError } from "./errors.ts";
import { sendPut } from "./wire.ts";
import { truncateSource } from "./truncate.ts";
import type { ItemOptions, Position } from "../../core/item.ts";

export type SinkHooks = {
  /** Lets tests and fault tools sit between the sink and the store (the product passes none). */
  readonly beforeSend?: (event: ChangeEvent) => Promise<void> | void;
  readonly now?: () => number;
};

/** What one conditional PutItem came to: written, or refused with the stored item (ALL_OLD). */
export type PutAnswer = { written: true } | { written: false; old: Item | undefined };

/** How a sink sends one PutItem (this one: sendPut, the client's direct path when it has one). */
export type SendPut = (client: DynamoDBClient, input: PutItemCommandInput) => Promise<PutItemCommandOutput>;

/**
 * What both PutItem-mode sinks share (DynamoDbSink here, HardDeleteSink in hard-sink.ts): the client,
 * the item options and the hooks, and one conditional PutItem, metered, its refusal read as the
 * stored item and every other error classified. Each sink says how one change is written.
 */
export abstract class PutItemSinkBase {
  protected readonly client: DynamoDBClient;
  protected readonly options: ItemOptions;
  protected readonly hooks: SinkHooks;

  constructor(client: DynamoDBClient, options: ItemOptions, hooks: SinkHooks = {}) {
    this.client = client;
    this.options = options;
    this.hooks = hooks;
  }

  protected now(): number {
    return (this.hooks.now ?? Date.now)();
  }

  /** `before` runs first, inside the same try: what it throws is classified as the store's errors. */
  protected async conditionalPut(
    input: PutItemCommandInput,
    meter: CapacityMeter | undefined,
    send: SendPut,
    before?: () => Promise<void> | void,
  ): Promise<PutAnswer> {
    try {
      await before?.();
      // TOTAL: the reply says what the write cost, for the write budget and consumed_write_units.
      const reply = await send(this.client, { ...input, ReturnConsumedCapacity: "TOTAL" });
      meter?.(consumedUnits(reply) ?? estimatedUnits(input, false));
      return { written: true };
    } catch (err) {
      if (
        !(err instanceof ConditionalCheckFailedException) &&
        (err as { name?: string }).name !== "ConditionalCheckFailedException"
      )
        throw classifyAwsError(err, this.options.table);
      // A refused condition costs write units too; its error carries ConsumedCapacity only on
      // stores that send it, else the item's own size decides.
      meter?.(consumedUnits(err) ?? estimatedUnits(input, false));
      return { written: false, old: (err as ConditionalCheckFailedException).Item as Item | undefined };
    }
  }
}

export class DynamoDbSink extends PutItemSinkBase implements Sink {
  estimateUnits(event: ChangeEvent, at: Position): number {
    return estimatedUnits(writeRequest(event, at, this.options, 0), false);
  }

  // async: a row the item builder refuses rejects the promise, it never throws at the caller.
  async write(event: ChangeEvent, at: Position, meter?: CapacityMeter): Promise<WriteOutcome> {
    return this.put(writeRequest(event, at, this.options, this.now()), event, meter);
  }

  truncate(
    event: TruncateEvent,
    at: Position,
    onPage?: (page: TruncateResult) => void,
  ): Promise<TruncateResult> {
    const deps = {
      client: this.client,
      options: this.options,
      now: () => this.now(),
      put: (input: PutItemCommandInput, e: ChangeEvent) => this.put(input, e),
    };
    return truncateSource(deps, event, at, onPage);
  }

  /** Sends one conditional put; a refused condition is read as `event`'s outcome. */
  async put(input: PutItemCommandInput, event: ChangeEvent, meter?: CapacityMeter): Promise<WriteOutcome> {
    const answer = await this.conditionalPut(input, meter, sendPut, () => this.hooks.beforeSend?.(event));
    // A mapped key's collision (another row's item) is this record's poison: refusedOf.
    return answer.written ? Outcome.applied : refusedOf(event, answer.old, this.options.mapping);
  }
}
