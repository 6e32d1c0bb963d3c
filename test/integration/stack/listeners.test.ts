// The broker's optional listeners, on a stack of their own: SASL_SSL (SCRAM-SHA-512 over TLS with
// the stack's CA) and the proxied listener, which advertises the proxy's port so that a client
// bootstrapping through the proxy is sent back through it for every broker connection.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import kafkajs from "kafkajs";
import type { KafkaConfig } from "kafkajs";
import { startStack, stopStack, type Endpoints } from "../../../tools/stack/index.ts";
import { TcpProxy } from "../../faults/net/tcp-proxy.ts";

const { Kafka, logLevel } = kafkajs;

let dir: string;
let endpoints: Endpoints;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "cdc-stack-listeners-"));
  endpoints = await startStack({ dir, kafkaSaslSsl: true, kafkaProxied: true });
});

after(async () => {
  await stopStack(dir);
  rmSync(dir, { recursive: true, force: true });
});

async function brokersSeen(config: Pick<KafkaConfig, "brokers" | "ssl" | "sasl">): Promise<string[]> {
  const admin = new Kafka({
    clientId: "listeners-test",
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    ...config,
  }).admin();
  await admin.connect();
  try {
    return (await admin.describeCluster()).brokers.map((b) => `${b.host}:${b.port}`);
  } finally {
    await admin.disconnect();
  }
}

void test("endpoints.json names the SASL_SSL listener, its CA file, user and password", () => {
  const sasl = endpoints.kafkaSaslSsl;
  assert.ok(sasl !== undefined);
  assert.equal(sasl.mechanism, "scram-sha-512");
  assert.ok(
    existsSync(sasl.caFile) && readFileSync(sasl.caFile, "utf8").startsWith("-----BEGIN CERTIFICATE-----"),
  );
  assert.match(sasl.password, /^[0-9a-f]{32}$/);
  assert.deepEqual(
    (JSON.parse(readFileSync(join(dir, "endpoints.json"), "utf8")) as Endpoints).kafkaSaslSsl,
    sasl,
  );
});

void test(
  "SASL_SSL: the right password over TLS verified with the stack's CA; a wrong one is " + "refused",
  async () => {
    const sasl = endpoints.kafkaSaslSsl!;
    const ssl = { ca: [readFileSync(sasl.caFile, "utf8")], rejectUnauthorized: true };
    assert.deepEqual(
      await brokersSeen({
        brokers: [sasl.brokers],
        ssl,
        sasl: { mechanism: "scram-sha-512", username: sasl.username, password: sasl.password },
      }),
      [sasl.brokers],
    );
    await assert.rejects(
      brokersSeen({
        brokers: [sasl.brokers],
        ssl,
        sasl: { mechanism: "scram-sha-512", username: sasl.username, password: "wrong" },
      }),
      /authentication failed/i,
    );
    // The plaintext listener stays for every other test.
    assert.deepEqual(await brokersSeen({ brokers: [endpoints.kafkaBrokers] }), [endpoints.kafkaBrokers]);
  },
);

void test("proxied listener: metadata through the proxy points back at the proxy", async () => {
  const proxied = endpoints.kafkaProxied!;
  const proxy = await TcpProxy.start(proxied.upstream, Number(proxied.brokers.split(":")[1]));
  try {
    assert.deepEqual(await brokersSeen({ brokers: [proxied.brokers] }), [proxied.brokers]);
    assert.ok(proxy.stats.connections >= 1 && proxy.stats.bytesDown > 0);
  } finally {
    await proxy.close();
  }
});
