// The direct write path: PutItem and TransactWriteItems sent without the SDK's per-request machinery
// (command objects, middleware stack, schema serde), which cost about three quarters of the sink's
// CPU per record (docs/performance.md, "Ceiling"). Everything that is not per request stays the SDK
// client's own: its credential provider chain (IRSA, profiles, environment; refreshed as the SDK
// refreshes it), its region and endpoint resolution (the same rules, asked once per table a minute),
// its HTTP handler (same agents, sockets and timeouts) and its exception classes — a refused
// condition, a cancelled transaction, throttling or a 5xx is thrown as the very error the SDK would
// throw, so classifyAwsError and the sinks cannot tell the paths apart. Signed with the SDK's own
// SigV4 (sigv4.ts, checked against @smithy/signature-v4). DYNAMODB_WRITE_CLIENT=sdk: the SDK's send.

import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import * as ddb from "@aws-sdk/client-dynamodb";
import { getEndpointFromInstructions } from "@smithy/core/endpoints";
import { HttpRequest } from "@smithy/core/transport";
import { SigV4Signer } from "./sigv4.ts";
import { decodeMap, parseOutput, putItemBody, transactActionBody } from "./wire-json.ts";

export type WireOperation = "PutItem" | "TransactWriteItems";
type Metadata = { httpStatusCode: number; requestId?: string; attempts: number; totalRetryDelay: number };
/** Told when a call starts; the function it returns, when it ends (telemetry/aws.ts). */
export type WireObserver = (
  operation: WireOperation,
  input: Input,
) => ((output: { $metadata?: Metadata } | undefined, err: unknown) => void) | undefined;

const COMMANDS = { PutItem: ddb.PutItemCommand, TransactWriteItems: ddb.TransactWriteItemsCommand };
/** An endpoint is asked of the SDK's rules once per table and operation this often. */
const ENDPOINT_TTL_MS = 60_000;
const CLOCK_SKEW_ERRORS = new Set([
  "AuthFailure",
  "InvalidSignatureException",
  "RequestExpired",
  "RequestInTheFuture",
  "RequestTimeTooSkewed",
  "SignatureDoesNotMatch",
]);

/** A write's input; only its table is read here. */
type Input = { readonly TableName?: string | undefined } | object;
const tableOf = (input: Input): string | undefined => (input as { TableName?: string }).TableName;

type Endpoint = { url: URL; region: string | undefined; at: number };
type Handler = {
  handle(
    request: HttpRequest,
  ): Promise<{ response: { statusCode: number; headers: Record<string, string>; body: unknown } }>;
};

export class DynamoWire {
  readonly #client: ddb.DynamoDBClient;
  readonly #signer = new SigV4Signer("dynamodb");
  readonly #endpoints = new Map<string, Promise<Endpoint>>();
  #userAgent: Promise<string> | undefined;
  #observer: WireObserver | undefined;

  constructor(client: ddb.DynamoDBClient) {
    this.#client = client;
  }

  observe(observer: WireObserver): void {
    this.#observer = observer;
  }

  async send<O>(operation: WireOperation, input: Input): Promise<O> {
    const done = this.#observer?.(operation, input);
    try {
      const output = await this.#send(operation, input);
      done?.(output, undefined);
      return output as O;
    } catch (err) {
      done?.(err as { $metadata?: Metadata }, err);
      throw err;
    }
  }

  async #send(operation: WireOperation, input: Input): Promise<Record<string, unknown>> {
    const config = this.#client.config;
    const body = JSON.stringify(operation === "PutItem" ? putItemBody(input) : transactBody(input));
    const [endpoint, userAgent, identity, region] = await Promise.all([
      this.#endpoint(operation, input),
      this.#agent(),
      config.credentials(),
      config.region(),
    ]);
    const url = endpoint.url;
    const headers: Record<string, string> = {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `DynamoDB_20120810.${operation}`,
      "content-length": String(Buffer.byteLength(body)),
      host: url.host,
      "user-agent": userAgent,
      "x-amz-user-agent": userAgent,
      "amz-sdk-invocation-id": randomUUID(),
      "amz-sdk-request": "attempt=1; max=1",
    };
    const path = canonicalPath(url.pathname);
    this.#signer.sign(
      headers,
      path,
      body,
      endpoint.region ?? region,
      identity,
      new Date(Date.now() + config.systemClockOffset),
    );
    const request = new HttpRequest({
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === "" ? undefined : Number(url.port),
      method: "POST",
      path: url.pathname,
      headers,
      body,
    });
    const { response } = await (config.requestHandler as unknown as Handler).handle(request);
    const text = await collect(response.body as IncomingMessage);
    const $metadata: Metadata = {
      httpStatusCode: response.statusCode,
      ...(response.headers["x-amzn-requestid"] === undefined
        ? {}
        : { requestId: response.headers["x-amzn-requestid"] }),
      attempts: 1,
      totalRetryDelay: 0,
    };
    if (response.statusCode >= 200 && response.statusCode < 300) {
      const output = parseOutput(text, response, $metadata);
      output["$metadata"] = $metadata;
      return output;
    }
    throw this.#error(response.statusCode, response.headers, text, $metadata);
  }

  /** The SDK's exception for an error answer: its class when it has one, its generic one else. */
  #error(status: number, headers: Record<string, string>, text: string, $metadata: Metadata): Error {
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON (a proxy's page): the status decides, as with the SDK
    }
    // Where the SDK reads it: the x-amzn-errortype header first, then the body's type.
    const type =
      headers["x-amzn-errortype"] ??
      (body["__type"] as string | undefined) ??
      (body["code"] as string | undefined);
    const name = type === undefined ? "UnknownError" : sanitize(type);
    const message = (body["message"] ?? body["Message"] ?? "UnknownError") as string;
    if (CLOCK_SKEW_ERRORS.has(name)) this.#correctClock(headers["date"]);
    const fields: Record<string, unknown> = {};
    if (body["Item"] !== undefined)
      fields["Item"] = decodeMap(body["Item"] as Record<string, Record<string, unknown>>);
    if (Array.isArray(body["CancellationReasons"]))
      fields["CancellationReasons"] = (
        body["CancellationReasons"] as { Item?: Record<string, Record<string, unknown>> }[]
      ).map((r) => (r.Item === undefined ? r : { ...r, Item: decodeMap(r.Item) }));
    const Class = (ddb as unknown as Record<string, unknown>)[name];
    if (typeof Class === "function" && Class.prototype instanceof ddb.DynamoDBServiceException)
      return new (Class as new (o: object) => Error)({ $metadata, message, ...fields });
    return new ddb.DynamoDBServiceException({
      name,
      $fault: status >= 500 ? "server" : "client",
      $metadata,
      message,
    });
  }

  /** As the SDK does after a clock-skew error: later requests are signed at the server's time. */
  #correctClock(date: string | undefined): void {
    const server = date === undefined ? NaN : Date.parse(date);
    if (Number.isFinite(server) && Math.abs(server - Date.now()) >= 300_000)
      this.#client.config.systemClockOffset = server - Date.now();
  }

  #endpoint(operation: WireOperation, input: Input): Promise<Endpoint> {
    const key = `${operation} ${tableOf(input) ?? ""}`;
    const cached = this.#endpoints.get(key);
    const now = Date.now();
    if (cached !== undefined)
      return cached.then((e) => (now - e.at < ENDPOINT_TTL_MS ? e : this.#resolve(key, operation, input)));
    return this.#resolve(key, operation, input);
  }

  /** The SDK's endpoint rules (region, FIPS, dual-stack, account endpoints, DYNAMODB_ENDPOINT). */
  #resolve(key: string, operation: WireOperation, input: object): Promise<Endpoint> {
    const at = Date.now();
    const resolved = getEndpointFromInstructions(
      input,
      COMMANDS[operation] as never,
      this.#client.config as never,
    ).then((e) => {
      const scheme = (e.properties?.["authSchemes"] as { signingRegion?: string }[] | undefined)?.[0];
      return { url: new URL(e.url.href), region: scheme?.signingRegion, at };
    });
    this.#endpoints.set(key, resolved);
    resolved.catch(() => this.#endpoints.delete(key));
    return resolved;
  }

  #agent(): Promise<string> {
    this.#userAgent ??= this.#client.config
      .defaultUserAgentProvider()
      .then((pairs) =>
        ["cdc-dynamodb-sink/direct", ...pairs.map(([n, v]) => (v === undefined ? n : `${n}/${v}`))].join(" "),
      )
      .catch(() => "cdc-dynamodb-sink/direct");
    return this.#userAgent;
  }
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

/** The path as SigV4 signs it (the SDK's escaping for services other than S3): "/" for DynamoDB. */
function canonicalPath(path: string): string {
  if (path === "/" || path === "") return "/";
  const escape = (t: string) =>
    encodeURIComponent(t).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return escape(path).replace(/%2F/g, "/");
}

/** An error type as the SDK reads it: the part after `#`, before `:`. */
function sanitize(type: string): string {
  let t = type;
  if (t.includes(":")) t = t.split(":")[0]!;
  if (t.includes("#")) t = t.split("#")[1]!;
  return t.trim();
}

function collect(body: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on("data", (c: Buffer) => chunks.push(c));
    body.on("end", () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8")),
    );
    body.on("error", reject);
  });
}

const wires = new WeakMap<ddb.DynamoDBClient, DynamoWire>();

/** Gives a client the direct write path (createDynamoClient does, unless told otherwise). */
export function attachWire(client: ddb.DynamoDBClient): DynamoWire {
  const wire = new DynamoWire(client);
  wires.set(client, wire);
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
