// The DynamoDB adapter: sends the conditional write that core/write.ts builds and turns the answer
// into an outcome. `duplicate` and `stale` are told apart without a second read, from the old item
// that ReturnValuesOnConditionCheckFailure=ALL_OLD hands back with the failed condition.

import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  type PutItemCommandInput,
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

export class DynamoDbSink implements Sink {
  readonly #client: DynamoDBClient;
  readonly #options: ItemOptions;
  readonly #hooks: SinkHooks;

  constructor(client: DynamoDBClient, options: ItemOptions, hooks: SinkHooks = {}) {
    this.#client = client;
    this.#options = options;
    this.#hooks = hooks;
  }

  estimateUnits(event: ChangeEvent, at: Position): number {
    return estimatedUnits(writeRequest(event, at, this.#options, 0), false);
  }

  // async: a row the item builder refuses rejects the promise, it never throws at the caller.
  async write(event: ChangeEvent, at: Position, meter?: CapacityMeter): Promise<WriteOutcome> {
    return this.put(writeRequest(event, at, this.#options, this.#now()), event, meter);
  }

  truncate(
    event: TruncateEvent,
    at: Position,
    onPage?: (page: TruncateResult) => void,
  ): Promise<TruncateResult> {
    const deps = {
      client: this.#client,
      options: this.#options,
      now: () => this.#now(),
      put: (input: PutItemCommandInput, e: ChangeEvent) => this.put(input, e),
    };
    return truncateSource(deps, event, at, onPage);
  }

  #now(): number {
    return (this.#hooks.now ?? Date.now)();
  }

  /** Sends one conditional put; a refused condition is read as `event`'s outcome. */
  async put(input: PutItemCommandInput, event: ChangeEvent, meter?: CapacityMeter): Promise<WriteOutcome> {
    try {
      await this.#hooks.beforeSend?.(event);
      // TOTAL: the reply says what the write cost, for the write budget and consumed_write_units.
      const reply = await sendPut(this.#client, { ...input, ReturnConsumedCapacity: "TOTAL" });
      meter?.(consumedUnits(reply) ?? estimatedUnits(input, false));
      return Outcome.applied;
    } catch (err) {
      if (
        err instanceof ConditionalCheckFailedException ||
        (err as { name?: string }).name === "ConditionalCheckFailedException"
      ) {
        // A refused condition costs write units too; its error carries ConsumedCapacity only on
        // stores that send it, else the item's own size decides.
        meter?.(consumedUnits(err) ?? estimatedUnits(input, false));
        // A mapped key's collision (another row's item) is this record's poison: refusedOf.
        const old = (err as ConditionalCheckFailedException).Item as Item | undefined;
        return refusedOf(event, old, this.#options.mapping);
      }
      throw classifyAwsError(err, this.#options.table);
    }
  }
}
