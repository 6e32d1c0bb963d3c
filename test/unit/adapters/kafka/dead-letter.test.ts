// Dead-letter headers: the context to find and fix a poison record, never its row bytes (the
// README: messages name fields and reasons, never row values).

import assert from "node:assert/strict";
import { test } from "node:test";
import { deadLetterHeaders, withoutRowText } from "../../../../src/adapters/kafka/dead-letter.ts";
import { PoisonError } from "../../../../src/core/errors.ts";
import { record } from "../../../support/debezium-records.ts";

const at = new Date("2026-01-01T00:00:00Z");

test("an error message quoting the record's value reaches no header", () => {
  const value = Buffer.from('{"id":1,"name":"Alice Canary-7f3a" oops}');
  let parseError = "";
  try {
    JSON.parse(value.toString());
  } catch (err) {
    parseError = (err as Error).message;
  }
  const bad = record({ offset: "7", key: Buffer.from('{"id":"key-canary-91"}'), value });
  const headers = deadLetterHeaders(
    bad,
    new PoisonError("undecodable", `the message value is not JSON: ${parseError} near "key-canary-91"`),
    1,
    "g",
    at,
  );
  for (const [name, text] of Object.entries(headers))
    assert.ok(!/Canary-7f3a|key-canary-91|Alice/.test(text), `${name}: ${text}`);
  assert.match(headers["__connect.errors.exception.message"]!, /^the message value is not JSON: /);
  assert.equal(headers["__connect.errors.offset"], "7");
  assert.equal(headers["cdc.error.code"], "undecodable");
});

test("field names and reasons stay readable", () => {
  const value = Buffer.from('{"before":null,"after":{"id":1,"updated_at":"2020-01-01"}}');
  const message = "cannot derive a version: column `updated_at` is not a timestamp";
  assert.equal(withoutRowText(message, [value]), message);
  assert.equal(
    withoutRowText('bad value "2020-01-01" in `updated_at`', [value]),
    'bad value "[row bytes removed]" in `updated_at`',
  );
});
