// SASL configuration rules, MSK IAM included: which variables go together, and what is refused.

import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../../../src/config/config.ts";

const base = {
  KAFKA_BROKERS: "b-1.msk.example:9098",
  KAFKA_GROUP_ID: "g",
  KAFKA_TOPICS: "a",
  DYNAMODB_TABLE: "cdc",
  AWS_REGION: "eu-west-1",
};
const noFiles = (p: string): string => {
  throw new Error(`ENOENT ${p}`);
};

void test("aws-msk-iam: TLS on, no user name or password; the region is AWS_REGION", () => {
  const r = loadConfig({ ...base, KAFKA_SSL: "true", KAFKA_SASL_MECHANISM: "aws-msk-iam" }, noFiles);
  assert.ok(r.ok, r.ok ? "" : r.errors.join("\n"));
  assert.deepEqual(r.config.kafka.sasl, { mechanism: "aws-msk-iam", region: "eu-west-1" });
  assert.deepEqual(r.config.kafka.tls, {});
});

void test("aws-msk-iam: refused without TLS (the signed token must not cross in plaintext)", () => {
  const r = loadConfig({ ...base, KAFKA_SASL_MECHANISM: "aws-msk-iam" }, noFiles);
  assert.ok(!r.ok);
  assert.deepEqual(r.errors, ["KAFKA_SSL: must be true with KAFKA_SASL_MECHANISM=aws-msk-iam"]);
});

void test("aws-msk-iam: a user name, password or password file is refused, each by name", () => {
  const r = loadConfig(
    {
      ...base,
      KAFKA_SSL: "true",
      KAFKA_SASL_MECHANISM: "aws-msk-iam",
      KAFKA_SASL_USERNAME: "u",
      KAFKA_SASL_PASSWORD: "p",
      KAFKA_SASL_PASSWORD_FILE: "/f",
    },
    noFiles,
  );
  assert.ok(!r.ok);
  for (const name of ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD", "KAFKA_SASL_PASSWORD_FILE"]) {
    assert.match(r.errors.join("\n"), new RegExp(`^${name}: is not used with aws-msk-iam`, "m"));
  }
});

void test("an unknown mechanism lists the known ones", () => {
  const r = loadConfig({ ...base, KAFKA_SASL_MECHANISM: "gssapi" }, noFiles);
  assert.ok(!r.ok);
  assert.match(
    r.errors.join("\n"),
    /KAFKA_SASL_MECHANISM: must be scram-sha-256, scram-sha-512, plain or aws-msk-iam/,
  );
});

void test("scram still needs a user name and a password", () => {
  const r = loadConfig({ ...base, KAFKA_SSL: "true", KAFKA_SASL_MECHANISM: "scram-sha-512" }, noFiles);
  assert.ok(!r.ok);
  assert.match(r.errors.join("\n"), /KAFKA_SASL_USERNAME: is required/);
  assert.match(r.errors.join("\n"), /KAFKA_SASL_PASSWORD: or KAFKA_SASL_PASSWORD_FILE is required/);
  const ok = loadConfig(
    {
      ...base,
      KAFKA_SSL: "true",
      KAFKA_SASL_MECHANISM: "scram-sha-512",
      KAFKA_SASL_USERNAME: "u",
      KAFKA_SASL_PASSWORD: "p",
    },
    noFiles,
  );
  assert.ok(ok.ok);
  assert.deepEqual(ok.config.kafka.sasl, { mechanism: "scram-sha-512", username: "u", password: "p" });
});
