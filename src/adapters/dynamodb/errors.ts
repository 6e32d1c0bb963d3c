// AWS SDK errors → the taxonomy, in one place. A timeout is an unknown outcome (the write may have
// happened); retrying it is safe only because every write is conditional.

import {
  ExitCode,
  FatalError,
  PoisonError,
  ClassifiedError,
  TransientError,
  errorMessage,
} from "../../core/errors.ts";
import {
  DYNAMODB_FATAL_NAMES,
  DYNAMODB_POISON_NAMES,
  DYNAMODB_TRANSIENT_NAMES,
  NETWORK_ERROR_CODES,
  isOneOf,
} from "../../core/error-codes.ts";

type AwsLike = {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  $response?: unknown;
  message?: string;
};

const isBuiltinError = (err: unknown): err is Error =>
  err instanceof TypeError ||
  err instanceof RangeError ||
  err instanceof ReferenceError ||
  err instanceof SyntaxError;

export function classifyAwsError(err: unknown, table: string): ClassifiedError {
  if (err instanceof ClassifiedError) return err;
  const e = (err ?? {}) as AwsLike;
  const status = e.$metadata?.httpStatusCode;
  if (isBuiltinError(err)) {
    // An answer that could not be read: the SDK's deserializer (and the direct path, wire.ts, the
    // same way) throws JSON.parse's SyntaxError with the HTTP answer attached as `$response` and its
    // status in `$metadata` — a proxy's error page, a body cut short. That is about the store's
    // answer, not our code. Any other TypeError and the like is a programming error, even when its
    // text says "timeout": never retried, classified or dead-lettered.
    if (!("$response" in err) || status === undefined) throw err;
    return unreadable(err, status);
  }
  const name = e.name ?? "Error";
  const msg = `${name}: ${errorMessage(err)}`;
  const http = status === undefined ? "" : ` (HTTP ${status})`;
  // A ValidationException that passed the start-up key-schema check is caused by the record; it
  // is named before any text matching below, whatever its message says.
  if (isOneOf(DYNAMODB_POISON_NAMES, name)) return new PoisonError(`dynamodb_${name}`, msg, { cause: err });
  if (isOneOf(DYNAMODB_FATAL_NAMES, name)) {
    const hint =
      name === "ResourceNotFoundException"
        ? ` (table ${table} does not exist or is not ACTIVE)`
        : name === "AccessDeniedException"
          ? ` (table ${table}: the sink's role needs dynamodb:PutItem on it, which TransactWriteItems ` +
            "also checks per item; docs/deploy.md#iam)"
          : "";
    return new FatalError(`dynamodb_${name}`, `${msg}${hint}`, ExitCode.fatal, { cause: err });
  }
  if (isOneOf(DYNAMODB_TRANSIENT_NAMES, name))
    return new TransientError(`dynamodb_${name}`, msg, { cause: err });
  // Errors the SDK marks retryable, and any 5xx or 429, under names not listed (an answer without
  // DynamoDB's error type: the direct path's UnknownError): retried under a generic code.
  if (e.$retryable !== undefined) return new TransientError("dynamodb_retryable", msg, { cause: err });
  if (status !== undefined && status >= 500)
    return new TransientError("dynamodb_http_5xx", `${msg}${http}`, { cause: err });
  if (status === 429) return new TransientError("dynamodb_http_429", `${msg}${http}`, { cause: err });
  if (e.code !== undefined && isOneOf(NETWORK_ERROR_CODES, e.code))
    return new TransientError(`dynamodb_${e.code}`, msg, { cause: err });
  // Node's HTTP layer without a code: the last resort, read from the message.
  if (/socket hang up|ECONNRESET|ECONNREFUSED|timed? ?out/i.test(errorMessage(err)))
    return new TransientError("dynamodb_network", msg, { cause: err });
  return new FatalError("dynamodb_unexpected", `unexpected DynamoDB error ${msg}${http}`, ExitCode.fatal, {
    cause: err,
  });
}

/**
 * An answer that is not DynamoDB's JSON, by its status: a 5xx (a proxy's or load balancer's error
 * page) or a 429 (something in front of the store sheds load) is transient, as with a JSON body; a
 * 2xx that does not parse (cut short on the way) is an unknown outcome, retried like a lost reply —
 * safe because every write is conditional, and reads are reads; any other status (a 403 page, a
 * 404: a proxy refusing, or an endpoint that is not DynamoDB) is the deployment's, fatal. The
 * message names the status, never the body (a page, or a table's items).
 */
function unreadable(err: Error, status: number): ClassifiedError {
  const what = `HTTP ${status} answer that is not DynamoDB's JSON (${err.name})`;
  if (status >= 500)
    return new TransientError("dynamodb_http_5xx", `${what}: an error page from in front of the store`, {
      cause: err,
    });
  if (status === 429) return new TransientError("dynamodb_http_429", what, { cause: err });
  if (status >= 200 && status < 300)
    return new TransientError("dynamodb_unreadable_reply", `${what}: cut short? the outcome is unknown`, {
      cause: err,
    });
  const hint = "a proxy in front of the store, or a DYNAMODB_ENDPOINT that is not DynamoDB?";
  return new FatalError(
    "dynamodb_unexpected",
    `unexpected DynamoDB answer: ${what} (${hint})`,
    ExitCode.fatal,
    {
      cause: err,
    },
  );
}
