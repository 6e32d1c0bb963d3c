// A CLIENT span and a latency sample for every DynamoDB call, from a middleware on the client's own
// stack (the extension point @opentelemetry/instrumentation-aws-sdk uses too). The auto
// instrumentation patches the SDK through require hooks, which must be in place before the SDK is
// loaded; here the SDK is loaded by static ESM imports before the CLI can start telemetry, so the
// middleware is added explicitly, with the same span name and attribute names.
//
// A refused condition (ConditionalCheckFailedException) is how the store answers `duplicate` and
// `stale`: an expected reply, so it does not set an error status on the span.

import { SpanKind, SpanStatusCode, context, type Span, type Tracer } from "@opentelemetry/api";
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
type Started = { span: Span; startedAt: number; attributes: Record<string, string> };

/** A call's start; the function it returns is told its end (output, or the error and the error). */
export type DynamoCallObserver = (
  commandName: string,
  input: { TableName?: string },
) => (output: unknown, err: unknown) => void;

/**
 * Adds the middleware, and returns the same observer for the calls that skip the SDK's stack (the
 * direct write path, adapters/dynamodb/wire.ts, wired by app/service.ts): same spans, same samples.
 */
export function instrumentDynamo(
  client: DynamoDBClient,
  tracer: Tracer,
  metrics: SinkMetrics,
  reporter: FailureReporter,
): DynamoCallObserver {
  const call: DynamoCallObserver = (commandName, input) => {
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

function start(tracer: Tracer, commandName: string, input: { TableName?: string }): Started {
  const method = commandName.replace(/Command$/, "");
  const attributes: Record<string, string> = {
    "rpc.system": "aws-api",
    "rpc.service": "DynamoDB",
    "rpc.method": method,
  };
  const span = tracer.startSpan(
    `DynamoDB.${method}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        ...attributes,
        "db.system": "dynamodb",
        ...(input.TableName === undefined ? {} : { "aws.dynamodb.table_names": [input.TableName] }),
      },
    },
    context.active(),
  );
  if (input.TableName !== undefined) attributes["cdc.table"] = input.TableName;
  return { span, startedAt: performance.now(), attributes };
}

function end(s: Started, metrics: SinkMetrics, meta: Metadata, err: unknown): void {
  const seconds = (performance.now() - s.startedAt) / 1000;
  const requestId = meta.$metadata?.requestId;
  if (requestId !== undefined) s.span.setAttribute("aws.request_id", requestId);
  const status = meta.$metadata?.httpStatusCode;
  if (status !== undefined) s.span.setAttribute("http.response.status_code", status);
  let result = "ok";
  if (err !== undefined) {
    const name = (err as { name?: string }).name ?? "Error";
    if (name === CONDITION_FAILED) {
      result = "condition_failed";
      s.span.setAttribute("cdc.condition_failed", true);
    } else {
      result = "error";
      s.span.setAttribute("error.type", name);
      // The name only: SDK messages can echo parts of the request.
      s.span.setStatus({ code: SpanStatusCode.ERROR, message: name });
    }
  }
  s.span.end();
  if (WRITE_METHODS.has(s.attributes["rpc.method"]!))
    metrics.write(seconds, { ...s.attributes, "cdc.write.result": result });
}
