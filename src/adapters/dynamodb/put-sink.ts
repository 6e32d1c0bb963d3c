// The DynamoDB adapter: sends the conditional write that core/write.ts builds and turns the answer
// into an outcome. `duplicate` and `stale` are told apart without a second read, from the old item
// that ReturnValuesOnConditionCheckFailure=ALL_OLD hands back with the failed condition.

import {
  ConditionalCheckFailedException,
  PutItemCommand,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import type { Item } from "../../core/attribute-value.ts";
import { Outcome, type ChangeEvent, type WriteOutcome } from "../../core/types.ts";
import { refusedOf, writeRequest } from "../../core/write.ts";
import type { Sink } from "../../engine/ports.ts";
import { classifyAwsError } from "./errors.ts";
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

  async write(event: ChangeEvent, at: Position): Promise<WriteOutcome> {
    const input = writeRequest(event, at, this.#options, (this.#hooks.now ?? Date.now)());
    try {
      await this.#hooks.beforeSend?.(event);
      await this.#client.send(new PutItemCommand(input));
      return Outcome.applied;
    } catch (err) {
      if (
        err instanceof ConditionalCheckFailedException ||
        (err as { name?: string }).name === "ConditionalCheckFailedException"
      ) {
        // A mapped key's collision (another row's item) is this record's poison: refusedOf.
        const old = (err as ConditionalCheckFailedException).Item as Item | undefined;
        return refusedOf(event, old, this.#options.mapping);
      }
      throw classifyAwsError(err, this.#options.table);
    }
  }
}
