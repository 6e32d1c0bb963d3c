// The kafkajs options the service builds: TLS and SASL as configured, and MSK IAM as kafkajs's
// OAUTHBEARER provider. No AWS endpoint is reachable here: the fake provider shows the wiring,
// and the real signer runs offline on environment credentials (signing needs no network).

import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import type { KafkaConfig, OauthbearerProviderResponse } from "kafkajs";
import type { Config } from "../../../../src/config/config.ts";
import { kafkaOptions } from "../../../../src/adapters/kafka/client.ts";
import { createLog } from "../../../../src/telemetry/log.ts";
import { kafkaConfig } from "../../../support/kafka-config.ts";

const log = createLog("silent", new PassThrough());
const kafka = (over: Partial<Config["kafka"]>): Config["kafka"] =>
  kafkaConfig({ brokers: ["b-1.msk.example:9098"], topics: ["t"], ...over });

function oauthProvider(sasl: KafkaConfig["sasl"]): () => Promise<OauthbearerProviderResponse> {
  assert.equal(sasl?.mechanism, "oauthbearer");
  return (sasl as { oauthBearerProvider: () => Promise<OauthbearerProviderResponse> }).oauthBearerProvider;
}

void test("aws-msk-iam: kafkajs gets OAUTHBEARER whose provider asks for a token per login", async () => {
  const asked: string[] = [];
  let n = 0;
  const options = kafkaOptions(
    kafka({ tls: {}, sasl: { mechanism: "aws-msk-iam", region: "eu-west-1" } }),
    log,
    false,
    {
      mskToken: (region) => {
        asked.push(region);
        return Promise.resolve({ token: `fake-token-${++n}`, expiryTime: Date.now() + 900_000 });
      },
    },
  );
  assert.deepEqual(options.ssl, { rejectUnauthorized: true });
  const provide = oauthProvider(options.sasl);
  assert.deepEqual(await provide(), { value: "fake-token-1" });
  assert.deepEqual(await provide(), { value: "fake-token-2" });
  assert.deepEqual(asked, ["eu-west-1", "eu-west-1"]);
});

void test("aws-msk-iam: the real signer presigns kafka-cluster:Connect from the default chain", async () => {
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "canary-secret-6d1f",
    AWS_SESSION_TOKEN: "session-token-example",
  });
  delete process.env["AWS_PROFILE"];
  try {
    const options = kafkaOptions(
      kafka({ tls: {}, sasl: { mechanism: "aws-msk-iam", region: "eu-west-1" } }),
      log,
    );
    const { value } = await oauthProvider(options.sasl)();
    const url = new URL(Buffer.from(value, "base64url").toString("utf8"));
    assert.equal(url.host, "kafka.eu-west-1.amazonaws.com");
    assert.equal(url.searchParams.get("Action"), "kafka-cluster:Connect");
    assert.match(
      url.searchParams.get("X-Amz-Credential") ?? "",
      /^AKIDEXAMPLE\/\d{8}\/eu-west-1\/kafka-cluster\/aws4_request$/,
    );
    assert.equal(url.searchParams.get("X-Amz-Security-Token"), "session-token-example");
    assert.match(url.searchParams.get("X-Amz-Signature") ?? "", /^[0-9a-f]{64}$/);
    // The secret key signs the token; it is never part of it.
    assert.ok(!value.includes("canary-secret-6d1f") && !url.href.includes("canary-secret-6d1f"));
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
});

void test("scram: user name and password go to kafkajs as configured, over TLS with the given CA", () => {
  const options = kafkaOptions(
    kafka({ tls: { ca: "PEM" }, sasl: { mechanism: "scram-sha-512", username: "u", password: "p" } }),
    log,
  );
  assert.deepEqual(options.ssl, { rejectUnauthorized: true, ca: "PEM" });
  assert.deepEqual(options.sasl, { mechanism: "scram-sha-512", username: "u", password: "p" });
});

void test("no TLS and no SASL unless configured", () => {
  const options = kafkaOptions(kafka({}), log);
  assert.equal(options.ssl, undefined);
  assert.equal(options.sasl, undefined);
});
