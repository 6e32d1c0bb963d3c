import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../../../src/config/config.ts";
import { ENV_SPEC } from "../../../src/config/env-spec.ts";

const base = {
  KAFKA_BROKERS: "127.0.0.1:9092",
  KAFKA_GROUP_ID: "g",
  KAFKA_TOPICS: "a,b",
  DYNAMODB_TABLE: "cdc",
  AWS_REGION: "eu-west-1",
};
const noFiles = (p: string): string => {
  throw new Error(`ENOENT ${p}`);
};

test("a minimal environment gives documented defaults", () => {
  const r = loadConfig(base, noFiles);
  assert.ok(r.ok);
  assert.deepEqual(r.config.kafka.topics, ["a", "b"]);
  assert.equal(r.config.dynamodb.keyAttribute, "pk");
  assert.equal(r.config.records.versionSource, "auto");
  assert.equal(r.config.processing.maxInFlight, 128);
  assert.equal(r.config.dynamodb.writeMode, "put");
  assert.equal(r.config.processing.maxBuffered, 5000);
  assert.equal(r.config.dynamodb.writeBatchItems, 50);
  assert.ok(Object.isFrozen(r.config.kafka));
});

test("the write shape and its chunk size are checked", () => {
  const r = loadConfig({ ...base, WRITE_MODE: "batch", WRITE_BATCH_ITEMS: "101" }, noFiles);
  assert.ok(!r.ok);
  assert.match(r.errors.join("\n"), /WRITE_MODE: must be auto, put or transact/);
  assert.match(r.errors.join("\n"), /WRITE_BATCH_ITEMS: /);
  const ok = loadConfig({ ...base, WRITE_MODE: "put", WRITE_BATCH_ITEMS: "100" }, noFiles);
  assert.ok(ok.ok && ok.config.dynamodb.writeMode === "put" && ok.config.dynamodb.writeBatchItems === 100);
});

test("every problem is reported at once, by variable name", () => {
  const r = loadConfig({ KAFKA_BROKERS: "nohost", MAX_IN_FLIGHT: "lots", VERSION_SOURCE: "lsn" }, noFiles);
  assert.ok(!r.ok);
  const text = r.errors.join("\n");
  for (const name of [
    "KAFKA_BROKERS",
    "KAFKA_GROUP_ID",
    "DYNAMODB_TABLE",
    "AWS_REGION",
    "MAX_IN_FLIGHT",
    "VERSION_SOURCE",
    "KAFKA_TOPICS",
  ]) {
    assert.match(text, new RegExp(`^${name}: `, "m"), `${name} missing from:\n${text}`);
  }
});

test("cross-field rules: column versions need a column; SASL needs credentials", () => {
  const r = loadConfig({ ...base, VERSION_SOURCE: "column", KAFKA_SASL_MECHANISM: "scram-sha-512" }, noFiles);
  assert.ok(!r.ok);
  assert.match(r.errors.join("\n"), /VERSION_COLUMN: is required/);
  assert.match(r.errors.join("\n"), /KAFKA_SASL_USERNAME/);
});

test("secrets can come from files; unreadable files are named", () => {
  const ok = loadConfig(
    {
      ...base,
      KAFKA_SASL_MECHANISM: "scram-sha-256",
      KAFKA_SASL_USERNAME: "u",
      KAFKA_SASL_PASSWORD_FILE: "/s",
    },
    () => "pw\n",
  );
  assert.ok(
    ok.ok &&
      ok.config.kafka.sasl !== undefined &&
      "password" in ok.config.kafka.sasl &&
      ok.config.kafka.sasl.password === "pw",
  );
  const bad = loadConfig({ ...base, KAFKA_SSL: "true", KAFKA_SSL_CA_FILE: "/nope.pem" }, noFiles);
  assert.ok(!bad.ok && /KAFKA_SSL_CA_FILE: cannot read \/nope\.pem/.test(bad.errors.join()));
});

test("routes files are validated", () => {
  const r = loadConfig(
    { ...base, ROUTES_FILE: "/r.json" },
    () => '[{"topic":"a","table":"x!"},{"table":"t"}]',
  );
  assert.ok(!r.ok);
  assert.match(r.errors.join("\n"), /ROUTES_FILE: \[0\.table\]/);
  assert.match(r.errors.join("\n"), /exactly one of topic and topicPattern/);
});

test("every variable in the spec is documented and named in upper snake case", () => {
  for (const v of ENV_SPEC) {
    assert.match(v.name, /^[A-Z][A-Z0-9_]+$/);
    assert.ok(v.description.length > 10, v.name);
  }
});

test("RECORD_FORMAT and POISON_POLICY: defaults, values, and the route keys format and poisonPolicy", () => {
  const d = loadConfig(base, noFiles);
  assert.ok(d.ok);
  assert.equal(d.config.records.format, "envelope");
  assert.equal(d.config.records.poisonPolicy, "dlq");
  const set = loadConfig({ ...base, RECORD_FORMAT: "flattened", POISON_POLICY: "skip" }, noFiles);
  assert.ok(set.ok);
  assert.equal(set.config.records.format, "flattened");
  assert.equal(set.config.records.poisonPolicy, "skip");
  const bad = loadConfig({ ...base, RECORD_FORMAT: "avro-ish", POISON_POLICY: "ignore" }, noFiles);
  assert.ok(!bad.ok);
  assert.match(bad.errors.join("\n"), /RECORD_FORMAT: must be envelope, flattened or auto/);
  assert.match(bad.errors.join("\n"), /POISON_POLICY: must be dlq, skip or stop/);
  const first = { topic: "a", format: "auto", poisonPolicy: "stop" };
  const routes = JSON.stringify([first, { topic: "b", format: "rows" }]);
  const r = loadConfig({ ...base, ROUTES_FILE: "/r.json" }, () => routes);
  assert.ok(!r.ok);
  assert.match(r.errors.join("\n"), /ROUTES_FILE: \[1\.format\]/);
  const ok = loadConfig({ ...base, ROUTES_FILE: "/r.json" }, () => JSON.stringify([first]));
  assert.ok(ok.ok);
  assert.equal(ok.config.routes[0]?.poisonPolicy, "stop");
});

test("TRUNCATE_POLICY: skip by default, apply, not with VERSION_SOURCE=column; the route key truncate", () => {
  const d = loadConfig(base, noFiles);
  assert.ok(d.ok);
  assert.equal(d.config.records.truncate, "skip");
  const set = loadConfig({ ...base, TRUNCATE_POLICY: "apply" }, noFiles);
  assert.ok(set.ok);
  assert.equal(set.config.records.truncate, "apply");
  const bad = loadConfig({ ...base, TRUNCATE_POLICY: "delete" }, noFiles);
  assert.ok(!bad.ok);
  assert.match(bad.errors.join("\n"), /TRUNCATE_POLICY: must be skip or apply/);
  const column = { ...base, TRUNCATE_POLICY: "apply", VERSION_SOURCE: "column", VERSION_COLUMN: "rev" };
  const refused = loadConfig(column, noFiles);
  assert.ok(!refused.ok);
  assert.match(refused.errors.join("\n"), /TRUNCATE_POLICY: apply needs the log position/);
  const route = { topic: "a", truncate: "apply" };
  const ok = loadConfig({ ...base, ROUTES_FILE: "/r.json" }, () => JSON.stringify([route]));
  assert.ok(ok.ok);
  assert.equal(ok.config.routes[0]?.truncate, "apply");
  const both = JSON.stringify([{ ...route, versionSource: "column", versionColumn: "rev" }]);
  const r = loadConfig({ ...base, ROUTES_FILE: "/r.json" }, () => both);
  assert.ok(!r.ok);
  assert.match(r.errors.join("\n"), /\[0\.truncate\] apply needs the log position/);
  const wrong = loadConfig({ ...base, ROUTES_FILE: "/r.json" }, () =>
    JSON.stringify([{ topic: "a", truncate: 1 }]),
  );
  assert.ok(!wrong.ok);
});
