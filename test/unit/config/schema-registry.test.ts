// RECORD_ENCODING and the schema registry's variables: Avro anywhere needs the registry, its TLS
// files are read at start-up, and credentials come in pairs.

import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../../../src/config/config.ts";

const base = {
  KAFKA_BROKERS: "127.0.0.1:9092",
  KAFKA_GROUP_ID: "g",
  KAFKA_TOPICS: "a,b",
  DYNAMODB_TABLE: "cdc",
  AWS_REGION: "eu-west-1",
};
const files: Record<string, string> = {
  "/ca.pem": "CA PEM",
  "/c.pem": "CERT PEM",
  "/k.pem": "KEY PEM",
  "/routes.json": JSON.stringify([{ topic: "a", encoding: "avro" }]),
};
const readFile = (p: string): string => {
  const text = files[p];
  if (text === undefined) throw new Error(`ENOENT ${p}`);
  return text;
};

function errors(env: Record<string, string>): string[] {
  const r = loadConfig({ ...base, ...env }, readFile);
  return r.ok ? [] : r.errors;
}

test("JSON is the default encoding, and needs no registry", () => {
  const r = loadConfig(base, readFile);
  assert.ok(r.ok);
  assert.equal(r.config.schemaRegistry.encoding, "json");
  assert.equal(r.config.schemaRegistry.url, undefined);
  assert.equal(r.config.schemaRegistry.timeoutMs, 10_000);
});

test("Avro, service-wide or in a route, needs SCHEMA_REGISTRY_URL", () => {
  assert.deepEqual(errors({ RECORD_ENCODING: "avro" }), [
    "SCHEMA_REGISTRY_URL: is required when RECORD_ENCODING (or a route's encoding) is avro",
  ]);
  assert.deepEqual(errors({ ROUTES_FILE: "/routes.json" }), [
    "SCHEMA_REGISTRY_URL: is required when RECORD_ENCODING (or a route's encoding) is avro",
  ]);
  assert.match(errors({ RECORD_ENCODING: "protobuf" })[0] ?? "", /^RECORD_ENCODING: /);
});

test("the registry's URL, credentials and TLS files reach the config", () => {
  const r = loadConfig(
    {
      ...base,
      RECORD_ENCODING: "avro",
      SCHEMA_REGISTRY_URL: "https://registry:8081/apis/ccompat/v7",
      SCHEMA_REGISTRY_USERNAME: "u",
      SCHEMA_REGISTRY_PASSWORD: "p",
      SCHEMA_REGISTRY_CA_FILE: "/ca.pem",
      SCHEMA_REGISTRY_CERT_FILE: "/c.pem",
      SCHEMA_REGISTRY_KEY_FILE: "/k.pem",
      SCHEMA_REGISTRY_TIMEOUT_MS: "2500",
    },
    readFile,
  );
  assert.ok(r.ok, r.ok ? "" : r.errors.join("; "));
  assert.deepEqual(r.config.schemaRegistry, {
    encoding: "avro",
    url: "https://registry:8081/apis/ccompat/v7",
    username: "u",
    password: "p",
    ca: "CA PEM",
    cert: "CERT PEM",
    key: "KEY PEM",
    timeoutMs: 2500,
  });
});

test("a client certificate needs its key, a user a password, and the files must be readable", () => {
  const avro = { RECORD_ENCODING: "avro", SCHEMA_REGISTRY_URL: "http://r:8081" };
  assert.deepEqual(errors({ ...avro, SCHEMA_REGISTRY_CERT_FILE: "/c.pem" }), [
    "SCHEMA_REGISTRY_KEY_FILE: SCHEMA_REGISTRY_CERT_FILE and SCHEMA_REGISTRY_KEY_FILE go together",
  ]);
  assert.deepEqual(errors({ ...avro, SCHEMA_REGISTRY_USERNAME: "u" }), [
    "SCHEMA_REGISTRY_PASSWORD: SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD go together",
  ]);
  assert.match(
    errors({ ...avro, SCHEMA_REGISTRY_CA_FILE: "/missing.pem" })[0] ?? "",
    /^SCHEMA_REGISTRY_CA_FILE: cannot read/,
  );
});
