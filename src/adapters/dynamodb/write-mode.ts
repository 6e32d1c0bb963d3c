// Which write shape a table gets (WRITE_MODE). Measured (bench/README.md, docs/store.md): on a
// DynamoDB-compatible server that bills nothing per item (dynoxide, DynamoDB Local),
// TransactWriteItems chunks of 50 cost the client a quarter of the CPU per record of single
// conditional PutItems, and the server no more; on real DynamoDB a transactional write costs 2 WCU
// per item instead of 1 (G9), and many single PutItems in flight reach any rate the table allows.
// So `auto` follows the endpoint: none (the SDK resolves AWS's own) or a host under one of AWS's
// DynamoDB domains gets PutItems; any other endpoint is such a server and gets transactions. It
// does not ask the table: ARNs differ from one emulator to the next (DynamoDB Local's region is
// "ddblocal", dynoxide's is the request's), and the endpoint is what decides the bill.

import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { TruncateResult } from "../../core/truncate.ts";
import type { ChangeEvent, TruncateEvent, WriteOutcome } from "../../core/types.ts";
import { TransactBatchSink, type BatchOptions } from "./transact-sink.ts";
import { DynamoDbSink, type SinkHooks } from "./put-sink.ts";
import { HardDeleteSink } from "./hard-sink.ts";
import { isHard } from "../../core/hard-delete.ts";
import type { CapacityMeter, Sink } from "../../engine/ports.ts";
import { writeRequest } from "../../core/write.ts";
import { estimatedUnits } from "./capacity.ts";
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

/**
 * AWS's DynamoDB endpoints: regional and FIPS (amazonaws.com), China (amazonaws.com.cn), dual-stack
 * (api.aws), and interface VPC endpoints (vpce.amazonaws.com).
 */
const AWS_HOST = /(^|\.)(amazonaws\.com|amazonaws\.com\.cn|api\.aws)\.?$/i;

export function isAwsEndpoint(hostname: string): boolean {
  return AWS_HOST.test(hostname);
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
      return putSink(client, options, hooks);
    case WriteMode.transact:
      return new TransactBatchSink(client, options, settings.batch, hooks);
    case WriteMode.auto:
      return new AutoSink(client, options, settings.batch, hooks, onChosen);
  }
}

/** PutItem mode: one record per request (under `deletes: "hard"`, the hard-delete sink's requests). */
function putSink(client: DynamoDBClient, options: ItemOptions, hooks: SinkHooks): Sink {
  return isHard(options)
    ? new HardDeleteSink(client, options, hooks)
    : new DynamoDbSink(client, options, hooks);
}

/** Looks at the client's endpoint once, on the first write, and hands every write to the chosen sink. */
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

  write(event: ChangeEvent, at: Position, meter?: CapacityMeter): Promise<WriteOutcome> {
    if (this.#sink !== undefined) return this.#sink.write(event, at, meter);
    return this.#choose().then((sink) => sink.write(event, at, meter));
  }

  // Before the first write has chosen, a PutItem's cost: the lower of the two, so a budget never
  // holds back the write that makes the choice.
  estimateUnits(event: ChangeEvent, at: Position): number {
    const sink = this.#sink;
    if (sink?.estimateUnits !== undefined) return sink.estimateUnits(event, at);
    return estimatedUnits(writeRequest(event, at, this.#options, 0), false);
  }

  // Both sinks it chooses between have truncate (TransactBatchSink's is item by item).
  async truncate(
    event: TruncateEvent,
    at: Position,
    onPage?: (page: TruncateResult) => void,
  ): Promise<TruncateResult> {
    const sink = this.#sink ?? (await this.#choose());
    return sink.truncate!(event, at, onPage);
  }

  async #chosen(): Promise<Sink> {
    // Set only for an endpoint given to the client (DYNAMODB_ENDPOINT); undefined means AWS's own.
    const endpoint = await this.#client.config.endpoint?.();
    const emulator = endpoint !== undefined && !isAwsEndpoint(endpoint.hostname);
    this.#sink = emulator
      ? new TransactBatchSink(this.#client, this.#options, this.#batch, this.#hooks)
      : putSink(this.#client, this.#options, this.#hooks);
    this.#onChosen?.(
      this.#options.table,
      emulator ? WriteMode.transact : WriteMode.put,
      emulator
        ? `${endpoint.hostname} is not an AWS DynamoDB endpoint: per-request cost, no WCU billing`
        : "DynamoDB: 1 WCU per conditional PutItem",
    );
    return this.#sink;
  }

  #choose(): Promise<Sink> {
    this.#choosing ??= this.#chosen();
    return this.#choosing;
  }
}
