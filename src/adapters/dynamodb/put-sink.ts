// The DynamoDB adapter: sends the conditional write that sink/item.ts builds and turns the answer
// into an outcome. `duplicate` and `stale` are told apart without a second read, from the old item
// that ReturnValuesOnConditionCheckFailure=ALL_OLD hands back with the failed condition.

import {
  ConditionalCheckFailedException,
  PutItemCommand,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { PoisonError } from "../../core/errors.ts";
import { Outcome, type ChangeEvent, type WriteOutcome } from "../../core/types.ts";
import { classifyAwsError } from "./errors.ts";
import { META, buildPut, type ItemOptions, type Position } from "../../core/item.ts";

export type Sink = {
  write(event: ChangeEvent, at: Position): Promise<WriteOutcome>;
};

export type SinkHooks = {
  /** Lets tests and fault tools sit between the sink and the store (the product passes none). */
  readonly beforeSend?: (event: ChangeEvent) => Promise<void> | void;
  readonly now?: () => number;
};

/** What a refused condition means, from the stored version. */
export function refusedOutcome(event: ChangeEvent, stored: string | undefined): WriteOutcome {
  if (stored === undefined) {
    throw new PoisonError(
      "foreign_item",
      `the item for ${event.source}:${event.id} exists but has no ${META.version}; it was not written by this sink`,
    );
  }
  if (!stored.startsWith(event.versionScheme)) {
    throw new PoisonError(
      "version_scheme_mismatch",
      `the stored version ${stored} is of another scheme than ${event.version}; was VERSION_SOURCE changed? (see README, Operations)`,
    );
  }
  if (stored === event.version) return Outcome.duplicate;
  if (stored > event.version) return Outcome.stale;
  // The guard refused an older stored version: only a store that broke its own condition does that.
  throw new Error(`condition refused ${event.version} over older ${stored}`);
}

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
    const input = buildPut(event, at, this.#options, (this.#hooks.now ?? Date.now)());
    try {
      await this.#hooks.beforeSend?.(event);
      await this.#client.send(new PutItemCommand(input));
      return Outcome.applied;
    } catch (err) {
      if (
        err instanceof ConditionalCheckFailedException ||
        (err as { name?: string }).name === "ConditionalCheckFailedException"
      ) {
        const old = (err as ConditionalCheckFailedException).Item;
        return refusedOutcome(event, old?.[META.version]?.S);
      }
      throw classifyAwsError(err, this.#options.table);
    }
  }
}
