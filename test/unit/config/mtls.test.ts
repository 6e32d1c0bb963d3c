// KAFKA_SSL_CERT_FILE / KAFKA_SSL_KEY_FILE: both or neither, only with TLS, readable, and a pair
// that belongs together, all refused at start-up (exit 2) with the variable's name. The fixtures are
// a self-signed P-256 test certificate valid until 2126, its key, another key, and its key
// encrypted with a passphrase; none is trusted by anything.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { loadConfig } from "../../../src/config/config.ts";
import { clientPairProblem } from "../../../src/config/tls-pair.ts";

const FIXTURES = new URL("fixtures/mtls/", import.meta.url);
const file = (name: string): string => readFileSync(new URL(name, FIXTURES), "utf8");
const readFixture = (path: string): string => file(path.replace(/^\//, ""));

const base = {
  KAFKA_BROKERS: "127.0.0.1:9093",
  KAFKA_GROUP_ID: "g",
  KAFKA_TOPICS: "a",
  DYNAMODB_TABLE: "cdc",
  AWS_REGION: "eu-west-1",
  KAFKA_SSL: "true",
};
const errors = (env: Record<string, string>): string => {
  const r = loadConfig({ ...base, ...env }, readFixture);
  return r.ok ? "" : r.errors.join("\n");
};

test("a matching pair is handed to the Kafka client with TLS", () => {
  const r = loadConfig(
    { ...base, KAFKA_SSL_CERT_FILE: "/client.pem", KAFKA_SSL_KEY_FILE: "/client.key" },
    readFixture,
  );
  assert.ok(r.ok, r.ok ? "" : r.errors.join("\n"));
  assert.deepEqual(r.config.kafka.tls, { cert: file("client.pem"), key: file("client.key") });
});

test("both or neither, and only with KAFKA_SSL=true", () => {
  assert.match(
    errors({ KAFKA_SSL_CERT_FILE: "/client.pem" }),
    /^KAFKA_SSL_KEY_FILE: KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together$/m,
  );
  assert.match(
    errors({ KAFKA_SSL_KEY_FILE: "/client.key" }),
    /^KAFKA_SSL_KEY_FILE: KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together$/m,
  );
  assert.match(
    errors({ KAFKA_SSL: "false", KAFKA_SSL_CERT_FILE: "/client.pem", KAFKA_SSL_KEY_FILE: "/client.key" }),
    /^KAFKA_SSL_CERT_FILE: is set but KAFKA_SSL is false; set KAFKA_SSL=true$/m,
  );
});

test("unreadable files, a wrong key, an encrypted key and a non-certificate are named", () => {
  assert.match(
    errors({ KAFKA_SSL_CERT_FILE: "/missing.pem", KAFKA_SSL_KEY_FILE: "/client.key" }),
    /^KAFKA_SSL_CERT_FILE: cannot read \/missing\.pem: ENOENT/m,
  );
  assert.match(
    errors({ KAFKA_SSL_CERT_FILE: "/client.pem", KAFKA_SSL_KEY_FILE: "/other.key" }),
    /^KAFKA_SSL_KEY_FILE: KAFKA_SSL_KEY_FILE is not the key of the certificate in KAFKA_SSL_CERT_FILE \(CN=unit-client\)$/m,
  );
  assert.match(
    errors({ KAFKA_SSL_CERT_FILE: "/client.pem", KAFKA_SSL_KEY_FILE: "/encrypted.key" }),
    /^KAFKA_SSL_KEY_FILE: KAFKA_SSL_KEY_FILE holds no unencrypted PEM private key$/m,
  );
  assert.match(
    errors({ KAFKA_SSL_CERT_FILE: "/client.key", KAFKA_SSL_KEY_FILE: "/client.key" }),
    /^KAFKA_SSL_KEY_FILE: KAFKA_SSL_CERT_FILE holds no PEM certificate$/m,
  );
});

test("an expired certificate is refused before connecting", () => {
  const names = { cert: "C", key: "K" };
  assert.equal(clientPairProblem(names, file("client.pem"), file("client.key")), undefined);
  assert.match(
    clientPairProblem(names, file("client.pem"), file("client.key"), new Date("2200-01-01")) ?? "",
    /^the certificate in C \(CN=unit-client\) expired on /,
  );
});
