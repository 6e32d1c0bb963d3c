// Every code a ClassifiedError may carry, closed: the codes are labels of metrics (`error.type`),
// log fields and DLQ headers (`__connect.errors.exception.class.name` keeps the class), so a new
// one is added here, on purpose, and documented (docs/semantics.md, the error taxonomy).
// Adapters translate vendor errors into these once; DynamoDB's names are kept in the code
// (`dynamodb_<name>`) because operators search AWS's documentation by them.

/** DynamoDB errors worth retrying: throttling, overload, conflicts, expired or late credentials. */
export const DYNAMODB_TRANSIENT_NAMES = [
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
] as const;

/** DynamoDB errors that say the deployment is wrong (permissions, a missing table, bad credentials). */
export const DYNAMODB_FATAL_NAMES = [
  "AccessDeniedException",
  "ResourceNotFoundException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "MissingAuthenticationTokenException",
  "IncompleteSignature",
  "NotAuthorized",
] as const;

/** DynamoDB errors caused by the record itself. */
export const DYNAMODB_POISON_NAMES = [
  "ValidationException",
  "ItemCollectionSizeLimitExceededException",
] as const;

/** Node's network error codes on a DynamoDB request (the write's outcome is unknown: retried). */
export const NETWORK_ERROR_CODES = [
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
] as const;

type Dynamo<T extends readonly string[]> = `dynamodb_${T[number]}`;

// The three lists below are read only by the type system (`(typeof X)[number]`): no code reads them
// at run time, so emptying them or a name in them changes no behaviour, only the types.
// Stryker disable all: equivalent, lists read only by the type system (see above)
export const POISON_CODES = [
  "undecodable",
  "invalid_envelope",
  "invalid_document",
  "missing_key",
  "missing_version",
  "delete_without_version",
  "invalid_value",
  "invalid_decimal",
  "unavailable_value",
  "too_deep",
  "key_too_large",
  "item_too_large",
  "foreign_item",
  "version_scheme_mismatch",
  "decode_failed",
  "item_build_failed",
  "flattened_without_version",
  "avro_mismatch",
  "avro_schema_invalid",
  "key_collision",
  "mapping_key_ambiguous",
  "mapping_key_mismatch",
] as const;

export const TRANSIENT_CODES = [
  "dlq_publish",
  "dynamodb_network",
  "dynamodb_http_5xx",
  "dynamodb_http_429",
  "dynamodb_unreadable_reply",
  "dynamodb_retryable",
  "schema_registry_unavailable",
  "schema_not_found",
] as const;

export const FATAL_CODES = [
  "bad_config",
  "unknown",
  "stuck",
  "poison_without_dlq",
  "dynamodb_unreachable",
  "dynamodb_unexpected",
  "table_not_active",
  "key_schema_mismatch",
  "kafka_auth",
  "kafka_tls",
  "kafka_unreachable",
  "kafka_start",
  "kafka_crash",
  "kafka_client_missing",
  "topic_missing",
  "topic_compacted",
  "topic_config_unreadable",
  "dlq_consumed",
  "dlq_publish_failed",
  "dlq_max_message_bytes",
  "dry_run_incomplete",
  "poison_stop",
  "schema_registry_auth",
  "ttl_mismatch",
] as const;

// Stryker restore all
export type PoisonCode = (typeof POISON_CODES)[number] | Dynamo<typeof DYNAMODB_POISON_NAMES>;
export type TransientCode =
  | (typeof TRANSIENT_CODES)[number]
  | Dynamo<typeof DYNAMODB_TRANSIENT_NAMES>
  | Dynamo<typeof NETWORK_ERROR_CODES>;
export type FatalCode = (typeof FATAL_CODES)[number] | Dynamo<typeof DYNAMODB_FATAL_NAMES>;
export type ErrorCode = PoisonCode | TransientCode | FatalCode;

/** True when `name` is one of `names` (narrows a vendor's string to the closed list). */
export function isOneOf<const T extends readonly string[]>(names: T, name: string): name is T[number] {
  return (names as readonly string[]).includes(name);
}
