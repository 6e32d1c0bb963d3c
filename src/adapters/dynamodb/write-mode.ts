// Which write shape a table gets (WRITE_MODE). Measured (bench/README.md): on DynamoDB Local, whose
// cost is per request, TransactWriteItems chunks of 50 carry two to three times the records/s of
// single conditional PutItems, in regime L (≈1 ms away) and R (+10 ms) alike; on real DynamoDB a
// transactional write costs 2 WCU per item instead of 1 (G9), and many single PutItems in flight
// reach any rate the table allows. So `auto` sends transactions only to DynamoDB Local, recognised
// by the ARN it gives every table (arn:aws:dynamodb:ddblocal:000000000000:table/...), and PutItems
// everywhere else.

import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { ChangeEvent, WriteOutcome } from "../../core/types.ts";
import { classifyAwsError } from "./errors.ts";
import { TransactBatchSink, type BatchOptions } from "./transact-sink.ts";
import { DynamoDbSink, type SinkHooks } from "./put-sink.ts";
import type { Sink } from "../../engine/ports.ts";
import type { ItemOptions, Position } from "../../core/item.ts";

export const WriteMode = { auto: "auto", put: "put", transact: "transact" } as const;
export type WriteMode = (typeof WriteMode)[keyof typeof WriteMode];
export const WRITE_MODES: readonly WriteMode[] = Object.values(WriteMode);

export type WriteSettings = { readonly mode: WriteMode; readonly batch: BatchOptions };

/** Told which shape `auto` chose for a table, once (for the start-up log). */
export type OnChosen = (
  table: string,
  mode: typeof WriteMode.put | typeof WriteMode.transact,
  reason: string,
) => void;

export function isDynamoDbLocalArn(arn: string | undefined): boolean {
  return arn !== undefined && /^arn:aws:dynamodb:ddblocal:/.test(arn);
}

export function createSink(
  client: DynamoDBClient,
  options: ItemOptions,
  settings: WriteSettings,
  hooks: SinkHooks = {},
  onChosen?: OnChosen,
): Sink {
  switch (settings.mode) {
    case WriteMode.put:
      return new DynamoDbSink(client, options, hooks);
    case WriteMode.transact:
      return new TransactBatchSink(client, options, settings.batch, hooks);
    case WriteMode.auto:
      return new AutoSink(client, options, settings.batch, hooks, onChosen);
  }
}

/** Asks the table once, on the first write, and hands every write to the chosen sink. */
class AutoSink implements Sink {
  readonly #client: DynamoDBClient;
  readonly #options: ItemOptions;
  readonly #batch: BatchOptions;
  readonly #hooks: SinkHooks;
  readonly #onChosen: OnChosen | undefined;
  #sink: Sink | undefined;
  #choosing: Promise<Sink> | undefined;

  constructor(
    client: DynamoDBClient,
    options: ItemOptions,
    batch: BatchOptions,
    hooks: SinkHooks,
    onChosen: OnChosen | undefined,
  ) {
    this.#client = client;
    this.#options = options;
    this.#batch = batch;
    this.#hooks = hooks;
    this.#onChosen = onChosen;
  }

  write(event: ChangeEvent, at: Position): Promise<WriteOutcome> {
    if (this.#sink !== undefined) return this.#sink.write(event, at);
    return this.#choose().then((sink) => sink.write(event, at));
  }

  #choose(): Promise<Sink> {
    this.#choosing ??= this.#client.send(new DescribeTableCommand({ TableName: this.#options.table })).then(
      (described) => {
        const local = isDynamoDbLocalArn(described.Table?.TableArn);
        const mode = local ? WriteMode.transact : WriteMode.put;
        this.#sink = local
          ? new TransactBatchSink(this.#client, this.#options, this.#batch, this.#hooks)
          : new DynamoDbSink(this.#client, this.#options, this.#hooks);
        this.#onChosen?.(
          this.#options.table,
          mode,
          local
            ? "DynamoDB Local: per-request cost, no WCU billing"
            : "DynamoDB: 1 WCU per conditional PutItem",
        );
        return this.#sink;
      },
      (err: unknown) => {
        this.#choosing = undefined; // asked again on the next write (the processor retries transient errors)
        throw classifyAwsError(err, this.#options.table);
      },
    );
    return this.#choosing;
  }
}
