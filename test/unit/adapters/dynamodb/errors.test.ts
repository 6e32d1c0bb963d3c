import assert from "node:assert/strict";
import { test } from "node:test";
import { FatalError, PoisonError, TransientError } from "../../../../src/core/errors.ts";
import { classifyAwsError } from "../../../../src/adapters/dynamodb/errors.ts";

const aws = (name: string, message: string, status?: number) =>
  Object.assign(new Error(message), {
    name,
    ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }),
  });

test("throttling, 5xx and network failures are transient", () => {
  assert.ok(classifyAwsError(aws("ThrottlingException", "slow down", 400), "t") instanceof TransientError);
  assert.ok(classifyAwsError(aws("Whatever", "boom", 503), "t") instanceof TransientError);
  const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
  assert.equal(classifyAwsError(reset, "t").code, "dynamodb_ECONNRESET");
  assert.ok(classifyAwsError(new Error("socket hang up"), "t") instanceof TransientError);
});

test("a programming error is never retried, even when its message mentions a timeout", () => {
  const bug = new TypeError("cannot read properties of undefined (reading 'timeout')");
  assert.throws(() => classifyAwsError(bug, "t"), TypeError);
  assert.throws(() => classifyAwsError(new RangeError("request timed out: invalid length"), "t"), RangeError);
});

test("a ValidationException is the record's fault even when its message mentions a timeout", () => {
  const err = classifyAwsError(aws("ValidationException", "attribute timeout_at: invalid", 400), "t");
  assert.ok(err instanceof PoisonError, `got ${err.constructor.name} ${err.code}`);
});

test("access denied and a missing table are fatal and name the table", () => {
  const denied = classifyAwsError(aws("AccessDeniedException", "not authorized", 400), "orders");
  assert.ok(denied instanceof FatalError);
  const missing = classifyAwsError(aws("ResourceNotFoundException", "not found", 400), "orders");
  assert.match(missing.message, /orders/);
});

/** JSON.parse's SyntaxError as the SDK's deserializer leaves it: the answer hidden in `$response`. */
const unreadable = (status: number) => {
  const err = new SyntaxError(`Unexpected token '<', "<html>" is not valid JSON`);
  Object.defineProperty(err, "$response", { value: { statusCode: status, body: "<html>" } });
  return Object.assign(err, { $metadata: { httpStatusCode: status } });
};

test("an answer the SDK could not read is classified by its status, never a programming error", () => {
  assert.equal(classifyAwsError(unreadable(502), "t").code, "dynamodb_http_5xx");
  assert.ok(classifyAwsError(unreadable(503), "t") instanceof TransientError);
  assert.equal(classifyAwsError(unreadable(429), "t").code, "dynamodb_http_429");
  const cut = classifyAwsError(unreadable(200), "t");
  assert.ok(cut instanceof TransientError);
  assert.equal(cut.code, "dynamodb_unreadable_reply");
  const refused = classifyAwsError(unreadable(403), "t");
  assert.ok(refused instanceof FatalError);
  assert.equal(refused.code, "dynamodb_unexpected");
  assert.match(refused.message, /HTTP 403/);
  assert.doesNotMatch(refused.message, /<html>/, "the body is not copied into the message");
});

test("a SyntaxError of our own (no answer attached) is still a programming error, whatever its status", () => {
  assert.throws(() => classifyAwsError(new SyntaxError("Unexpected end of JSON input"), "t"), SyntaxError);
  const noAnswer = Object.assign(new SyntaxError("bad"), { $metadata: { httpStatusCode: 503 } });
  assert.throws(() => classifyAwsError(noAnswer, "t"), SyntaxError);
  const noStatus = new TypeError("x");
  Object.defineProperty(noStatus, "$response", { value: {} });
  assert.throws(() => classifyAwsError(noStatus, "t"), TypeError);
});

test("a 429 without a DynamoDB error type is transient; other 4xx of no known name are fatal", () => {
  assert.equal(classifyAwsError(aws("UnknownError", "UnknownError", 429), "t").code, "dynamodb_http_429");
  const other = classifyAwsError(aws("UnknownError", "UnknownError", 404), "t");
  assert.ok(other instanceof FatalError);
  assert.match(other.message, /HTTP 404/);
});
