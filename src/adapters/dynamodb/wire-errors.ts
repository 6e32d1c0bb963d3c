// The direct write path's error answers (wire.ts) turned into the SDK's own exceptions: the class the
// SDK throws when it has one, its generic DynamoDBServiceException else, with the same name, message,
// fault, metadata and fields (a refused condition's old item, a cancelled transaction's reasons), so
// classifyAwsError and the sinks cannot tell the paths apart. A unit test sends the same canned
// answers through both paths.

import type { IncomingHttpHeaders } from "node:http";
import * as ddb from "@aws-sdk/client-dynamodb";
import { decodeMap } from "./wire-json.ts";

export type Metadata = {
  httpStatusCode: number;
  requestId?: string;
  attempts: number;
  totalRetryDelay: number;
};

const CLOCK_SKEW_ERRORS = new Set([
  "AuthFailure",
  "InvalidSignatureException",
  "RequestExpired",
  "RequestInTheFuture",
  "RequestTimeTooSkewed",
  "SignatureDoesNotMatch",
]);

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v.join(",") : v;
};

/** The SDK's exception for an error answer: its class when it has one, its generic one else. */
export function errorOf(
  status: number,
  headers: IncomingHttpHeaders,
  text: string,
  $metadata: Metadata,
  config: { systemClockOffset: number },
): Error {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON (a proxy's page): the status decides, as with the SDK
  }
  // Where the SDK reads it: the x-amzn-errortype header first, then the body's type.
  const type =
    header(headers, "x-amzn-errortype") ??
    (body["__type"] as string | undefined) ??
    (body["code"] as string | undefined);
  const name = type === undefined ? "UnknownError" : sanitize(type);
  const message = (body["message"] ?? body["Message"] ?? "UnknownError") as string;
  if (CLOCK_SKEW_ERRORS.has(name)) correctClock(config, header(headers, "date"));
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
function correctClock(config: { systemClockOffset: number }, date: string | undefined): void {
  const server = date === undefined ? NaN : Date.parse(date);
  if (Number.isFinite(server) && Math.abs(server - Date.now()) >= 300_000)
    config.systemClockOffset = server - Date.now();
}

/** An error type as the SDK reads it: the part after `#`, before `:`. */
function sanitize(type: string): string {
  let t = type;
  if (t.includes(":")) t = t.split(":")[0]!;
  if (t.includes("#")) t = t.split("#")[1]!;
  return t.trim();
}
