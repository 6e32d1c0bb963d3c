// A Sink that writes nothing: it reads the current item (GetItem, strongly consistent, so a write
// acknowledged just before is seen) and decides the outcome the conditional put would have
// (decide.ts). Within one dry run, the versions it decided `applied` are remembered per key, so a
// later record of the same key is judged against what the table would then hold, as in a real run.

import { GetItemCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { itemKey } from "../core/identity.ts";
import { META, type ItemOptions, type Position } from "../core/item.ts";
import { Outcome, type ChangeEvent, type WriteOutcome } from "../core/types.ts";
import { writeRequest } from "../core/write.ts";
import { classifyAwsError } from "../adapters/dynamodb/errors.ts";
import type { Sink } from "../engine/ports.ts";
import { decideWrite, type StoredItem } from "./decide.ts";

export async function readItem(
  client: DynamoDBClient,
  options: ItemOptions,
  key: string,
  event?: ChangeEvent,
): Promise<StoredItem> {
  // A mapping's key (docs/mapping.md) is built from the record; the default key is `key`.
  const itemKeyOf =
    options.mapping !== undefined && event !== undefined
      ? options.mapping.key(event)
      : { [options.keyAttribute]: { S: key } };
  try {
    const answer = await client.send(
      new GetItemCommand({
        TableName: options.table,
        Key: itemKeyOf,
        ConsistentRead: true,
      }),
    );
    return answer.Item;
  } catch (err) {
    throw classifyAwsError(err, options.table);
  }
}

export class DryRunSink implements Sink {
  readonly #client: DynamoDBClient;
  readonly #options: ItemOptions;
  /** Item key → the version this dry run decided to apply. */
  readonly #applied = new Map<string, string>();

  constructor(client: DynamoDBClient, options: ItemOptions) {
    this.#client = client;
    this.#options = options;
  }

  async write(event: ChangeEvent, at: Position): Promise<WriteOutcome> {
    // Built as the sink builds it: a record whose item cannot be made is poison here too.
    writeRequest(event, at, this.#options, Date.now());
    const key = itemKey(event.source, event.id);
    const wouldHold = this.#applied.get(key);
    const stored =
      wouldHold === undefined
        ? await readItem(this.#client, this.#options, key, event)
        : {
            [META.version]: { S: wouldHold },
            [META.source]: { S: event.source },
            [META.id]: { S: event.id },
          };
    const outcome = decideWrite(event, stored, this.#options.mapping);
    if (outcome === Outcome.applied) this.#applied.set(key, event.version);
    return outcome;
  }
}
