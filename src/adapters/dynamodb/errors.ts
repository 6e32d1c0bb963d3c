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

const TRANSIENT_NAMES = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "Throttling",
  "RequestLimitExceeded",
  "TransactionConflictException",
  "TransactionInProgressException",
  "InternalServerError",
  "InternalFailure",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "LimitExceededException",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "AbortError",
  "ExpiredTokenException",
  "CredentialsProviderError",
]);

const FATAL_NAMES = new Set([
  "AccessDeniedException",
  "ResourceNotFoundException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "MissingAuthenticationTokenException",
  "IncompleteSignature",
  "NotAuthorized",
]);

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ENOTFOUND",
  "ERR_STREAM_PREMATURE_CLOSE",
  "ECONNABORTED",
]);

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
  if (name === "ValidationException" || name === "ItemCollectionSizeLimitExceededException") {
    return new PoisonError(`dynamodb_${name}`, msg, { cause: err });
  }
  if (FATAL_NAMES.has(name)) {
    const hint =
      name === "ResourceNotFoundException" ? ` (table ${table} does not exist or is not ACTIVE)` : "";
    return new FatalError(`dynamodb_${name}`, `${msg}${hint}`, ExitCode.fatal, { cause: err });
  }
  if (TRANSIENT_NAMES.has(name) || e.$retryable !== undefined || (status !== undefined && status >= 500)) {
    return new TransientError(`dynamodb_${name}`, msg, { cause: err });
  }
  if (e.code !== undefined && NETWORK_CODES.has(e.code))
    return new TransientError(`dynamodb_${e.code}`, msg, { cause: err });
  // Node's HTTP layer without a code: the last resort, read from the message.
  if (/socket hang up|ECONNRESET|ECONNREFUSED|timed? ?out/i.test(errorMessage(err)))
    return new TransientError("dynamodb_network", msg, { cause: err });
  return new FatalError(`dynamodb_${name}`, `unexpected DynamoDB error ${msg}`, ExitCode.fatal, {
    cause: err,
  });
}
