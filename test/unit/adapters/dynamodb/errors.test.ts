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
