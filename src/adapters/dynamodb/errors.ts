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
  message?: string;
};

export function classifyAwsError(err: unknown, table: string): ClassifiedError {
  if (err instanceof ClassifiedError) return err;
  // Programming errors first: a TypeError whose text happens to say "timeout" is still a bug, never
  // retried, classified or dead-lettered. The SDK's own errors are plain Error subclasses.
  if (
    err instanceof TypeError ||
    err instanceof RangeError ||
    err instanceof ReferenceError ||
    err instanceof SyntaxError
  ) {
    throw err;
  }
  const e = (err ?? {}) as AwsLike;
  const name = e.name ?? "Error";
  const status = e.$metadata?.httpStatusCode;
  const msg = `${name}: ${errorMessage(err)}`;
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
  // Errors the SDK marks retryable, and any 5xx, under names not listed: retried under a generic code.
  if (e.$retryable !== undefined) return new TransientError("dynamodb_retryable", msg, { cause: err });
  if (status !== undefined && status >= 500)
    return new TransientError("dynamodb_http_5xx", msg, { cause: err });
  if (e.code !== undefined && isOneOf(NETWORK_ERROR_CODES, e.code))
    return new TransientError(`dynamodb_${e.code}`, msg, { cause: err });
  // Node's HTTP layer without a code: the last resort, read from the message.
  if (/socket hang up|ECONNRESET|ECONNREFUSED|timed? ?out/i.test(errorMessage(err)))
    return new TransientError("dynamodb_network", msg, { cause: err });
  return new FatalError("dynamodb_unexpected", `unexpected DynamoDB error ${msg}`, ExitCode.fatal, {
    cause: err,
  });
}
