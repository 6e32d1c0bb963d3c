// A CLIENT span and a latency sample for every DynamoDB call, from a middleware on the client's own
// stack (the extension point @opentelemetry/instrumentation-aws-sdk uses too). The auto
// instrumentation patches the SDK through require hooks, which must be in place before the SDK is
// loaded; here the SDK is loaded by static ESM imports before the CLI can start telemetry, so the
// middleware is added explicitly, with the same span name and attribute names.
//
// A refused condition (ConditionalCheckFailedException) is how the store answers `duplicate` and
// `stale`: an expected reply, so it does not set an error status on the span.

import {
  SpanKind,
  SpanStatusCode,
  context,
  type Attributes,
  type Span,
  type Tracer,
} from "@opentelemetry/api";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SinkMetrics } from "./metrics.ts";
import { safely, type FailureReporter } from "../engine/guard.ts";

const CONDITION_FAILED = "ConditionalCheckFailedException";

/**
 * The calls that write items: only their latency is `cdc_sink.write.duration`. The start-up and
 * watch calls (DescribeTable, DescribeTimeToLive) and a truncate's Scan get spans, not write samples.
 */
const WRITE_METHODS = new Set([
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "BatchWriteItem",
  "TransactWriteItems",
  "ExecuteStatement",
  "BatchExecuteStatement",
  "ExecuteTransaction",
]);

type Metadata = { $metadata?: { requestId?: string; httpStatusCode?: number } };
type Started = { span: Span; startedAt: number; method: string; table: string | undefined };

/** A call's start; the function it returns is told its end (output, or the error and the error). */
export type DynamoCallObserver = (
  commandName: string,
  input: { TableName?: string },
) => (output: unknown, err: unknown) => void;

/**
 * Adds the middleware, and returns the same observer for the calls that skip the SDK's stack (the
 * direct write path, adapters/dynamodb/wire.ts, wired by app/service.ts): same spans, same samples.
 * No tracer (telemetry without tracing): no spans, only the write samples.
 */
export function instrumentDynamo(
  client: DynamoDBClient,
  tracer: Tracer | undefined,
  metrics: SinkMetrics,
  reporter: FailureReporter,
): DynamoCallObserver {
  const call: DynamoCallObserver =
    tracer === undefined
      ? samplesOnly(metrics, reporter)
      : (commandName, input) => {
          const started = safely(
            reporter,
            "dynamodb span start",
            () => start(tracer, commandName, input),
            undefined,
          );
          return (output: unknown, err: unknown): void => {
            if (started !== undefined)
              safely(
                reporter,
                "dynamodb span end",
                () => end(started, metrics, (output ?? {}) as Metadata, err),
                undefined,
              );
          };
        };
  client.middlewareStack.add(
    (next, ctx) => async (args) => {
      const done = call(ctx.commandName ?? "Unknown", (args.input ?? {}) as { TableName?: string });
      try {
        const result = await next(args);
        done(result.output, undefined);
        return result;
      } catch (err) {
        done(err, err);
        throw err;
      }
    },
    { step: "initialize", name: "cdcSinkTelemetry", priority: "high" },
  );
  return call;
}

const IGNORE = (): void => undefined;

/** The write samples alone: per call a start time and, for a write, one sample at its end. */
function samplesOnly(metrics: SinkMetrics, reporter: FailureReporter): DynamoCallObserver {
  return (commandName, input) => {
    const method = methodOf(commandName);
    if (!WRITE_METHODS.has(method)) return IGNORE;
    const table = input.TableName;
    const startedAt = performance.now();
    return (_output: unknown, err: unknown): void => {
      const seconds = (performance.now() - startedAt) / 1000;
      safely(
        reporter,
        "dynamodb span end",
        () => metrics.write(seconds, writeAttributes(method, table, resultOf(err))),
        undefined,
      );
    };
  };
}

const methods = new Map<string, string>();
/** `PutItemCommand` → `PutItem` (the direct path already says `PutItem`). */
function methodOf(commandName: string): string {
  let m = methods.get(commandName);
  if (m === undefined) {
    m = commandName.replace(/Command$/, "");
    if (methods.size < 100) methods.set(commandName, m);
  }
  return m;
}

const writeAttributeSets = new Map<string, Attributes>();
/** The attributes of a write sample, one object per method, table and result (not one per call). */
function writeAttributes(method: string, table: string | undefined, result: string): Attributes {
  const key = `${method}\u0000${table ?? ""}\u0000${table === undefined ? 0 : 1}\u0000${result}`;
  let a = writeAttributeSets.get(key);
  if (a === undefined) {
    a = {
      "rpc.system": "aws-api",
      "rpc.service": "DynamoDB",
      "rpc.method": method,
      ...(table === undefined ? {} : { "cdc.table": table }),
      "cdc.write.result": result,
    };
    if (writeAttributeSets.size < 1000) writeAttributeSets.set(key, a);
  }
  return a;
}

const resultOf = (err: unknown): string =>
  err === undefined
    ? "ok"
    : ((err as { name?: string }).name ?? "Error") === CONDITION_FAILED
      ? "condition_failed"
      : "error";

function start(tracer: Tracer, commandName: string, input: { TableName?: string }): Started {
  const method = methodOf(commandName);
  const span = tracer.startSpan(
    `DynamoDB.${method}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        "rpc.system": "aws-api",
        "rpc.service": "DynamoDB",
        "rpc.method": method,
        "db.system": "dynamodb",
        ...(input.TableName === undefined ? {} : { "aws.dynamodb.table_names": [input.TableName] }),
      },
    },
    context.active(),
  );
  return { span, startedAt: performance.now(), method, table: input.TableName };
}

function end(s: Started, metrics: SinkMetrics, meta: Metadata, err: unknown): void {
  const seconds = (performance.now() - s.startedAt) / 1000;
  const requestId = meta.$metadata?.requestId;
  if (requestId !== undefined) s.span.setAttribute("aws.request_id", requestId);
  const status = meta.$metadata?.httpStatusCode;
  if (status !== undefined) s.span.setAttribute("http.response.status_code", status);
  const result = resultOf(err);
  if (result === "condition_failed") s.span.setAttribute("cdc.condition_failed", true);
  else if (result === "error") {
    const name = (err as { name?: string }).name ?? "Error";
    s.span.setAttribute("error.type", name);
    // The name only: SDK messages can echo parts of the request.
    s.span.setStatus({ code: SpanStatusCode.ERROR, message: name });
  }
  s.span.end();
  if (WRITE_METHODS.has(s.method)) metrics.write(seconds, writeAttributes(s.method, s.table, result));
}
