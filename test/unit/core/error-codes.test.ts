// Which DynamoDB and network error names the adapter treats as transient, fatal or the record's
// fault. The oracle is AWS's own description of each error (DynamoDB API reference, "Common
// Errors" and the PutItem/TransactWriteItems errors; Node's errno names), written out here once:
// dropping a name from a list would silently change how that failure is handled.

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  DYNAMODB_FATAL_NAMES,
  DYNAMODB_POISON_NAMES,
  DYNAMODB_TRANSIENT_NAMES,
  NETWORK_ERROR_CODES,
  isOneOf,
} from "../../../src/core/error-codes.ts";

const lists = {
  transient: DYNAMODB_TRANSIENT_NAMES,
  fatal: DYNAMODB_FATAL_NAMES,
  poison: DYNAMODB_POISON_NAMES,
} as const;

// Retry: "the request rate is too high", "an internal error", "the service is unavailable", a
// transaction conflict, credentials that expired or were not yet fetched, a request that timed
// out or was aborted on our side.
const transient = [
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
];
// Stop: no permission, no table, credentials or signatures AWS does not accept.
const fatal = [
  "AccessDeniedException",
  "ResourceNotFoundException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "MissingAuthenticationTokenException",
  "IncompleteSignature",
  "NotAuthorized",
];
// The record: an item DynamoDB refuses as invalid, or one that would overfill its item collection.
const poison = ["ValidationException", "ItemCollectionSizeLimitExceededException"];

test("each DynamoDB error name is in exactly the list of its meaning", () => {
  const expected = { transient, fatal, poison };
  for (const [meaning, names] of Object.entries(expected)) {
    for (const name of names) {
      const found = Object.entries(lists)
        .filter(([, list]) => isOneOf(list, name))
        .map(([m]) => m);
      assert.deepEqual(found, [meaning], name);
    }
  }
  for (const name of ["ConditionalCheckFailedException", "SerializationException", "", "throttlingexception"])
    for (const list of Object.values(lists)) assert.equal(isOneOf(list, name), false, name);
});

test("network failures whose outcome is unknown are listed; others are not", () => {
  const unknownOutcome = [
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
  ];
  for (const code of unknownOutcome) assert.equal(isOneOf(NETWORK_ERROR_CODES, code), true, code);
  for (const code of ["EACCES", "ENOENT", "ERR_INVALID_ARG_TYPE", ""])
    assert.equal(isOneOf(NETWORK_ERROR_CODES, code), false, code);
});
