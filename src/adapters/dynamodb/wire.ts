// The direct write path: PutItem and TransactWriteItems sent without the SDK's per-request machinery
// (command objects, middleware stack, schema serde, its HTTP handler's timers), which cost about three
// quarters of the sink's CPU per record (docs/performance.md, "Ceiling"). Everything that is not per
// request stays the SDK client's own: its credential provider chain (IRSA, profiles, environment;
// asked again whenever the SDK would refresh), its region and endpoint resolution (the same rules,
// asked once per table a minute), its handler's timeouts and https agent's TLS options (wire-http.ts)
// and its exception classes — a refused condition, a cancelled transaction, throttling or a 5xx is
// thrown as the very error the SDK would throw (wire-errors.ts), so classifyAwsError and the sinks
// cannot tell the paths apart. Signed with SigV4 (sigv4.ts, checked against @smithy/signature-v4).
// DYNAMODB_WRITE_CLIENT=sdk: the SDK's send.

import { randomUUID } from "node:crypto";
import * as ddb from "@aws-sdk/client-dynamodb";
import { getEndpointFromInstructions } from "@smithy/core/endpoints";
import { DynamoSigner, canonicalPath, type SigningIdentity } from "./sigv4.ts";
import { parseOutput, putItemBody, transactActionBody } from "./wire-json.ts";
import { errorOf, type Metadata } from "./wire-errors.ts";
import { WireHttp, targetOf, type Target, type WireTransport } from "./wire-http.ts";
import { headersOf } from "./http1.ts";

export type { WireTransport } from "./wire-http.ts";
export type WireOperation = "PutItem" | "TransactWriteItems";
/** Told when a call starts; the function it returns, when it ends (telemetry/aws.ts). */
export type WireObserver = (
  operation: WireOperation,
  input: Input,
) => ((output: { $metadata?: Metadata } | undefined, err: unknown) => void) | undefined;

const COMMANDS = { PutItem: ddb.PutItemCommand, TransactWriteItems: ddb.TransactWriteItemsCommand };
const TARGETS = {
  PutItem: "DynamoDB_20120810.PutItem",
  TransactWriteItems: "DynamoDB_20120810.TransactWriteItems",
};
/** An endpoint is asked of the SDK's rules once per table and operation this often. */
const ENDPOINT_TTL_MS = 60_000;
/** The SDK's memoized credential provider refreshes an identity this long before it expires. */
const IDENTITY_REFRESH_MS = 300_000;

/** A write's input; only its table is read here. */
type Input = { readonly TableName?: string | undefined } | object;
const tableOf = (input: Input): string => (input as { TableName?: string }).TableName ?? "";

type Endpoint = { target: Target; host: string; path: string; region: string | undefined; at: number };
type Identity = SigningIdentity & { readonly expiration?: Date | undefined };

export class DynamoWire {
  readonly #client: ddb.DynamoDBClient;
  readonly #http: WireHttp;
  readonly #signer = new DynamoSigner("dynamodb");
  /** Per operation, per table: the endpoint resolved, and when. */
  readonly #endpoints = {
    PutItem: new Map<string, Endpoint>(),
    TransactWriteItems: new Map<string, Endpoint>(),
  };
  /** Resolutions under way, so concurrent writes of a table ask the rules once. */
  readonly #pending = new Map<string, Promise<Endpoint>>();
  #userAgent: string | undefined;
  #region: string | undefined;
  #identity: Identity | undefined;
  #observer: WireObserver | undefined;

  constructor(client: ddb.DynamoDBClient, transport: WireTransport) {
    this.#client = client;
    this.#http = new WireHttp(transport);
  }

  /** Closes the direct path's connections (the client's destroy does, see attachWire). */
  destroy(): void {
    this.#http.destroy();
  }

  observe(observer: WireObserver): void {
    this.#observer = observer;
  }

  send<O>(operation: WireOperation, input: Input): Promise<O> {
    const done = this.#observer?.(operation, input);
    const sent = this.#send(operation, input) as Promise<O>;
    if (done === undefined) return sent;
    return sent.then(
      (output) => {
        done(output as { $metadata?: Metadata }, undefined);
        return output;
      },
      (err: unknown) => {
        done(err as { $metadata?: Metadata }, err);
        throw err;
      },
    );
  }

  async #send(operation: WireOperation, input: Input): Promise<Record<string, unknown>> {
    const body = JSON.stringify(operation === "PutItem" ? putItemBody(input) : transactBody(input));
    const now = Date.now();
    // What is known already is used as is: no promise per request for the endpoint, the identity,
    // the region and the user agent once they are in hand.
    const endpoint = this.#fresh(operation, input, now) ?? (await this.#resolve(operation, input));
    const identity = this.#current(now) ?? (await this.#refresh());
    const region = this.#region ?? (await this.#askRegion());
    const userAgent = this.#userAgent ?? (await this.#askUserAgent());
    const headers = this.#signer.headers(
      {
        target: TARGETS[operation],
        host: endpoint.host,
        path: endpoint.path,
        userAgent,
        invocationId: randomUUID(),
        region: endpoint.region ?? region,
        identity,
        nowMs: now + this.#client.config.systemClockOffset,
      },
      body,
    );
    const { status, rawHeaders, text } = await this.#http.post(endpoint.target, headers, body);
    const $metadata: Metadata = { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 };
    const requestId = requestIdOf(rawHeaders);
    if (requestId !== undefined) $metadata.requestId = requestId;
    if (status >= 200 && status < 300) {
      // The answer's headers are read only when a body that does not parse needs them attached.
      const response = {
        statusCode: status,
        get headers() {
          return headersOf(rawHeaders);
        },
      };
      const output = text === "{}" ? {} : parseOutput(text, response, $metadata);
      output["$metadata"] = $metadata;
      return output;
    }
    throw errorOf(status, headersOf(rawHeaders), text, $metadata, this.#client.config);
  }

  #fresh(operation: WireOperation, input: Input, now: number): Endpoint | undefined {
    const e = this.#endpoints[operation].get(tableOf(input));
    return e !== undefined && now - e.at < ENDPOINT_TTL_MS ? e : undefined;
  }

  /** The SDK's endpoint rules (region, FIPS, dual-stack, account endpoints, DYNAMODB_ENDPOINT). */
  #resolve(operation: WireOperation, input: Input): Promise<Endpoint> {
    const table = tableOf(input);
    const key = `${operation} ${table}`;
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending;
    const at = Date.now();
    const resolved = getEndpointFromInstructions(
      input,
      COMMANDS[operation] as never,
      this.#client.config as never,
    )
      .then((e) => {
        const scheme = (e.properties?.["authSchemes"] as { signingRegion?: string }[] | undefined)?.[0];
        const url = new URL(e.url.href);
        const path = canonicalPath(url.pathname);
        const endpoint = { target: targetOf(url), host: url.host, path, region: scheme?.signingRegion, at };
        this.#endpoints[operation].set(table, endpoint);
        return endpoint;
      })
      .finally(() => this.#pending.delete(key));
    this.#pending.set(key, resolved);
    return resolved;
  }

  /** The identity in hand, unless the SDK's provider would refresh it now. */
  #current(now: number): Identity | undefined {
    const i = this.#identity;
    if (i === undefined) return undefined;
    return i.expiration === undefined || i.expiration.getTime() - now >= IDENTITY_REFRESH_MS ? i : undefined;
  }

  async #refresh(): Promise<Identity> {
    const identity = (await this.#client.config.credentials()) as Identity;
    this.#identity = identity;
    return identity;
  }

  async #askRegion(): Promise<string> {
    this.#region = await this.#client.config.region();
    return this.#region;
  }

  async #askUserAgent(): Promise<string> {
    const ua = await this.#client.config
      .defaultUserAgentProvider()
      .then((pairs) =>
        ["cdc-dynamodb-sink/direct", ...pairs.map(([n, v]) => (v === undefined ? n : `${n}/${v}`))].join(" "),
      )
      .catch(() => "cdc-dynamodb-sink/direct");
    this.#userAgent = ua;
    return ua;
  }
}

/**
 * The request id from the raw header lines: reading `headers` would build an object of every header
 * per answer, and a success needs this one only.
 */
function requestIdOf(raw: readonly string[]): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2)
    if (raw[i]!.length === 16 && raw[i]!.toLowerCase() === "x-amzn-requestid") return raw[i + 1];
  return undefined;
}

/** TransactWriteItems as the SDK serializes it; an action the sink never builds (Update) is refused. */
function transactBody(input: object): Record<string, unknown> {
  const i = input as {
    TransactItems: Record<string, object | undefined>[];
    ReturnConsumedCapacity?: string;
    ReturnItemCollectionMetrics?: string;
    ClientRequestToken?: string;
  };
  return {
    TransactItems: i.TransactItems.map((t) => {
      const kinds = Object.keys(t).filter((k) => t[k] !== undefined);
      return transactActionBody(kinds.length === 1 ? kinds[0]! : kinds.join("+"), t[kinds[0] ?? ""]);
    }),
    ...(i.ReturnConsumedCapacity === undefined ? {} : { ReturnConsumedCapacity: i.ReturnConsumedCapacity }),
    ...(i.ReturnItemCollectionMetrics === undefined
      ? {}
      : { ReturnItemCollectionMetrics: i.ReturnItemCollectionMetrics }),
    // As the SDK fills it in: an idempotency token, so a resent transaction is not applied twice.
    ClientRequestToken: i.ClientRequestToken ?? randomUUID(),
  };
}

const wires = new WeakMap<ddb.DynamoDBClient, DynamoWire>();

/** Gives a client the direct write path over its agents (createDynamoClient does, unless told otherwise). */
export function attachWire(client: ddb.DynamoDBClient, transport: WireTransport): DynamoWire {
  const wire = new DynamoWire(client, transport);
  wires.set(client, wire);
  // The direct path's sockets are its own (not the SDK handler's agents): they close with the client.
  const destroy = client.destroy.bind(client);
  client.destroy = () => {
    wire.destroy();
    destroy();
  };
  return wire;
}

export function wireOf(client: ddb.DynamoDBClient): DynamoWire | undefined {
  return wires.get(client);
}

/** A write through the client's direct path when it has one, else through the SDK's send. */
export function sendPut(
  client: ddb.DynamoDBClient,
  input: ddb.PutItemCommandInput,
): Promise<ddb.PutItemCommandOutput> {
  const wire = wires.get(client);
  return wire === undefined ? client.send(new ddb.PutItemCommand(input)) : wire.send("PutItem", input);
}

export function sendTransact(
  client: ddb.DynamoDBClient,
  input: ddb.TransactWriteItemsCommandInput,
): Promise<ddb.TransactWriteItemsCommandOutput> {
  const wire = wires.get(client);
  return wire === undefined
    ? client.send(new ddb.TransactWriteItemsCommand(input))
    : wire.send("TransactWriteItems", input);
}
