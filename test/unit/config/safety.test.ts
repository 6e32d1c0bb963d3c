// Configurations that would silently corrupt data are refused at start-up, naming the variable.

import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../../../src/config/config.ts";

const base = {
  KAFKA_BROKERS: "127.0.0.1:9092",
  KAFKA_GROUP_ID: "g",
  KAFKA_TOPICS: "pg.public.orders",
  DYNAMODB_TABLE: "cdc",
  AWS_REGION: "eu-west-1",
};
const files =
  (contents: Record<string, string>) =>
  (p: string): string => {
    const text = contents[p];
    if (text === undefined) throw new Error(`ENOENT ${p}`);
    return text;
  };

function errors(env: Record<string, string>, routes?: unknown): string[] {
  const r = loadConfig(
    { ...env, ...(routes === undefined ? {} : { ROUTES_FILE: "/routes.json" }) },
    files({ "/routes.json": JSON.stringify(routes) }),
  );
  return r.ok ? [] : r.errors;
}

test(
  "TTL_ATTRIBUTE may not be the key attribute or a metadata attribute (it would corrupt " + "tombstones)",
  () => {
    for (const ttl of ["pk", "_cdc_version", "_cdc_deleted"]) {
      const e = errors({ ...base, TTL_ATTRIBUTE: ttl });
      assert.ok(
        e.some((m) => m.startsWith("TTL_ATTRIBUTE:")),
        `TTL_ATTRIBUTE=${ttl}: ${e.join("; ")}`,
      );
    }
    assert.deepEqual(errors({ ...base, TTL_ATTRIBUTE: "expires_at" }), []);
  },
);

test("TTL_ATTRIBUTE must be a valid attribute name", () => {
  const e = errors({ ...base, TTL_ATTRIBUTE: "x".repeat(256) });
  assert.ok(
    e.some((m) => m.startsWith("TTL_ATTRIBUTE:")),
    e.join("; "),
  );
});

test("SOURCE_NAME with several topics or a topic pattern would merge tables into one key space", () => {
  const many = errors({
    ...base,
    KAFKA_TOPICS: "pg.public.orders,pg.public.customers",
    SOURCE_NAME: "orders",
  });
  assert.ok(
    many.some((m) => m.startsWith("SOURCE_NAME:")),
    many.join("; "),
  );
  const pattern = errors({
    ...base,
    KAFKA_TOPICS: "",
    KAFKA_TOPIC_PATTERN: "^pg\\.public\\.",
    SOURCE_NAME: "orders",
  });
  assert.ok(
    pattern.some((m) => m.startsWith("SOURCE_NAME:")),
    pattern.join("; "),
  );
  assert.deepEqual(errors({ ...base, SOURCE_NAME: "orders" }), [], "one topic, one source name: fine");
});

test("a route's sourceName on a topicPattern would merge every matched table: refused", () => {
  const e = errors(base, [{ topicPattern: "^pg\\.public\\.", sourceName: "orders" }]);
  assert.ok(
    e.some((m) => m.startsWith("ROUTES_FILE:") && /sourceName/.test(m)),
    e.join("; "),
  );
  assert.deepEqual(errors(base, [{ topic: "pg.public.orders", sourceName: "orders" }]), []);
});
