// The PutItem-mode sink of a mapping with `deletes: "hard"` (core/hard-delete.ts decides the
// requests): an upsert is first one conditional PutItem onto an existing row, and only when the row
// is absent the TransactWriteItems that also checks the companion tombstone; a delete is always the
// transaction (Delete row + Put tombstone). The conditional PutItem is sent, metered and classified
// by PutItemSinkBase (put-sink.ts), as the put sink's own; this file does the same for the
// transaction, whose refusals are read by the core (cancelledOutcome).

import {
  PutItemCommand,
  TransactWriteItemsCommand,
  type DynamoDBClient,
  type PutItemCommandInput,
} from "@aws-sdk/client-dynamodb";
import { transactItems, writeHard, type ActionReason, type HardStore } from "../../core/hard-delete.ts";
import type { Position } from "../../core/item.ts";
import type { ChangeEvent, WriteOutcome } from "../../core/types.ts";
import type { CapacityMeter, Sink } from "../../engine/ports.ts";
import { consumedUnits, estimatedActionUnits, estimatedUnits } from "./capacity.ts";
import { classifyAwsError } from "./errors.ts";
import { PutItemSinkBase, type SendPut } from "./put-sink.ts";
import { REASON_NAMES } from "./transact-sink.ts";

// Through the SDK's send, not the direct path (wire.ts) the put sink takes: so it was written, and
// sharing the put plumbing changed nothing the sink does. Whether it should take the direct path too
// is a question of its own.
const sdkPut: SendPut = (client: DynamoDBClient, input: PutItemCommandInput) =>
  client.send(new PutItemCommand(input));

export class HardDeleteSink extends PutItemSinkBase implements Sink {
  /** The common case's cost: an upsert of a live row is one PutItem; a delete is the transaction. */
  estimateUnits(event: ChangeEvent, at: Position): number {
    const items = transactItems(event, at, this.options, 0);
    return event.op === "d" || !("Put" in items[0]!)
      ? estimatedActionUnits(items)
      : estimatedUnits(items[0].Put, false);
  }

  async write(event: ChangeEvent, at: Position, meter?: CapacityMeter): Promise<WriteOutcome> {
    await this.hooks.beforeSend?.(event);
    return writeHard(event, at, this.options, this.now(), this.#store(meter));
  }

  #store(meter: CapacityMeter | undefined): HardStore {
    const table = this.options.table;
    return {
      put: (request) => this.conditionalPut(request, meter, sdkPut),
      transact: async (items) => {
        try {
          const reply = await this.client.send(
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
