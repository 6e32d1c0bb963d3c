// The PutItem-mode sink of a mapping with `deletes: "hard"` (core/hard-delete.ts decides the
// requests): an upsert is first one conditional PutItem onto an existing row, and only when the row
// is absent the TransactWriteItems that also checks the companion tombstone; a delete is always the
// transaction (Delete row + Put tombstone). This file sends them, meters what they cost and
// classifies what goes wrong; the transaction's refusals are read by the core (cancelledOutcome).

import {
  ConditionalCheckFailedException,
  PutItemCommand,
  TransactWriteItemsCommand,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import type { Item } from "../../core/attribute-value.ts";
import { transactItems, writeHard, type ActionReason, type HardStore } from "../../core/hard-delete.ts";
import type { ItemOptions, Position } from "../../core/item.ts";
import type { ChangeEvent, WriteOutcome } from "../../core/types.ts";
import type { CapacityMeter, Sink } from "../../engine/ports.ts";
import { consumedUnits, estimatedActionUnits, estimatedUnits } from "./capacity.ts";
import { classifyAwsError } from "./errors.ts";
import type { SinkHooks } from "./put-sink.ts";
import { REASON_NAMES } from "./transact-sink.ts";

export class HardDeleteSink implements Sink {
  readonly #client: DynamoDBClient;
  readonly #options: ItemOptions;
  readonly #hooks: SinkHooks;

  constructor(client: DynamoDBClient, options: ItemOptions, hooks: SinkHooks = {}) {
    this.#client = client;
    this.#options = options;
    this.#hooks = hooks;
  }

  /** The common case's cost: an upsert of a live row is one PutItem; a delete is the transaction. */
  estimateUnits(event: ChangeEvent, at: Position): number {
    const items = transactItems(event, at, this.#options, 0);
    return event.op === "d" || !("Put" in items[0]!)
      ? estimatedActionUnits(items)
      : estimatedUnits(items[0].Put, false);
  }

  async write(event: ChangeEvent, at: Position, meter?: CapacityMeter): Promise<WriteOutcome> {
    await this.#hooks.beforeSend?.(event);
    const now = (this.#hooks.now ?? Date.now)();
    return writeHard(event, at, this.#options, now, this.#store(meter));
  }

  #store(meter: CapacityMeter | undefined): HardStore {
    const table = this.#options.table;
    return {
      put: async (request) => {
        try {
          const reply = await this.#client.send(
            new PutItemCommand({ ...request, ReturnConsumedCapacity: "TOTAL" }),
          );
          meter?.(consumedUnits(reply) ?? estimatedUnits(request, false));
          return { written: true };
        } catch (err) {
          if (
            !(err instanceof ConditionalCheckFailedException) &&
            (err as { name?: string }).name !== "ConditionalCheckFailedException"
          )
            throw classifyAwsError(err, table);
          meter?.(consumedUnits(err) ?? estimatedUnits(request, false));
          return { written: false, old: (err as ConditionalCheckFailedException).Item as Item | undefined };
        }
      },
      transact: async (items) => {
        try {
          const reply = await this.#client.send(
            new TransactWriteItemsCommand({ TransactItems: [...items], ReturnConsumedCapacity: "TOTAL" }),
          );
          meter?.(consumedUnits(reply) ?? estimatedActionUnits(items));
          return undefined;
        } catch (err) {
          const reasons = (err as { CancellationReasons?: ActionReason[] }).CancellationReasons;
          if (reasons === undefined || reasons.length !== items.length) throw classifyAwsError(err, table);
          const other = reasons.find(
            (r) => (r.Code ?? "None") !== "None" && r.Code !== "ConditionalCheckFailed",
          );
          if (other !== undefined) {
            const name = REASON_NAMES[other.Code!] ?? other.Code!;
            const cause = Object.assign(new Error(`transaction cancelled: ${other.Code}`), { name });
            throw classifyAwsError(cause, table);
          }
          // A cancelled transaction's refused conditions are charged; the reply does not say how much.
          meter?.(estimatedActionUnits(items));
          return reasons;
        }
      },
    };
  }
}
