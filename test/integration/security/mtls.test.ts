// Mutual TLS against the real broker: the stack's MTLS listener requires a client certificate signed
// by its CA (`ssl.client.auth=required`). With the stack's client certificate the sink consumes,
// writes, dead-letters and commits through it; with no certificate, or one signed by another CA, it
// stops at start-up with exit 3 and a `kafka_tls` line naming the client-certificate settings,
// without ever joining the group — no retry loop, no fallback.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Producer } from "kafkajs";
import { startStack, stopStack, type Endpoints } from "../../../tools/stack/index.ts";
import { makeCa, makeClientCert } from "../../../tools/stack/parts/tls.ts";
import { createTable, scanTable } from "../../support/dynamo.ts";
import { pgKey, pgValue } from "../../support/debezium-records.ts";
import { createTopic } from "../../support/kafka.ts";
import { connectedProducer, groupProgress, readTopic } from "../../support/kafka-progress.ts";
import { uniqueName } from "../../support/names.ts";
import { spawnSink, type SinkProcess } from "../../support/sink-process.ts";
import { waitFor } from "../../support/wait.ts";

let dir: string;
let endpoints: Endpoints;
let mtls: NonNullable<Endpoints["kafkaMtls"]>;
let producer: Producer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "cdc-mtls-"));
  endpoints = await startStack({ dir, kafkaMtls: true });
  mtls = endpoints.kafkaMtls!;
  producer = await connectedProducer(endpoints.kafkaBrokers);
});

after(async () => {
  await producer?.disconnect();
  await stopStack(dir);
  rmSync(dir, { recursive: true, force: true });
});

/** A topic, a DLQ and a table, with records produced through the plaintext listener. */
async function prepare(records: { key: Buffer; value: Buffer }[]) {
  const topic = uniqueName("mtls");
  const dlq = uniqueName("mtls_dlq");
  const table = uniqueName("mtls_tbl");
  await createTopic(endpoints.kafkaBrokers, topic, 2);
  await createTopic(endpoints.kafkaBrokers, dlq, 1);
  await createTable(endpoints.dynamodbEndpoint, table);
  if (records.length > 0) await producer.send({ topic, acks: -1, messages: records });
  return { topic, dlq, table, group: uniqueName("g") };
}

function sinkThroughMtls(t: { topic: string; dlq: string; table: string; group: string }, tls: object) {
  return spawnSink(endpoints, {
    KAFKA_BROKERS: mtls.brokers,
    KAFKA_SSL: "true",
    KAFKA_SSL_CA_FILE: mtls.caFile,
    KAFKA_TOPICS: t.topic,
    KAFKA_GROUP_ID: t.group,
    DYNAMODB_TABLE: t.table,
    DLQ_TOPIC: t.dlq,
    ...tls,
  });
}

/** Waits for the exit (at most 60 s) and returns the code, the time and the fatal line. */
async function refusal(p: SinkProcess, began: number) {
  const timer = setTimeout(() => p.child.kill("SIGKILL"), 60_000);
  const exit = await p.exited;
  clearTimeout(timer);
  const fatal = p
    .output()
    .split("\n")
    .find((l) => l.includes('"level":"fatal"'));
  return { code: exit.code, ms: Date.now() - began, fatal: fatal ?? "", output: p.output() };
}

void test("with the stack's client certificate: consumed, written, dead-lettered and committed over mTLS", async () => {
  const messages = [
    ...[1, 2, 3].map((id) => ({ key: pgKey(id), value: pgValue({ op: "c", id, lsn: id * 10 }) })),
    { key: pgKey(9), value: Buffer.from("{not json") },
  ];
  const t = await prepare(messages);
  const sink = sinkThroughMtls(t, { KAFKA_SSL_CERT_FILE: mtls.certFile, KAFKA_SSL_KEY_FILE: mtls.keyFile });
  try {
    await waitFor(
      async () => {
        const progress = await groupProgress(endpoints.kafkaBrokers, t.group, t.topic);
        return [...progress.values()].every(([committed, high]) => committed === high);
      },
      { timeoutMs: 120_000, message: `the sink did not commit every record:\n${sink.output().slice(-3000)}` },
    );
  } finally {
    sink.child.kill("SIGTERM");
  }
  const exit = await sink.exited;
  assert.equal(exit.code, 0, sink.output().slice(-3000));
  const items = await scanTable(endpoints.dynamodbEndpoint, t.table);
  assert.deepEqual([...items.keys()].sort(), [1, 2, 3].map((id) => `pg.app.public.customers:[${id}]`).sort());
  // The dead letter went out through the same mTLS connection settings (the DLQ producer).
  const dead = await readTopic(endpoints.kafkaBrokers, t.dlq, 1);
  assert.equal(dead.length, 1);
  assert.deepEqual(dead[0]?.key, pgKey(9));
  assert.match(sink.output(), /"msg":"joined the consumer group"/);
});

const refusals: [string, () => Promise<Record<string, string>>][] = [
  ["no client certificate", () => Promise.resolve({})],
  [
    "a client certificate signed by another CA",
    async () => {
      const other = join(dir, "other-ca");
      const ca = await makeCa(other, "intruder-ca", join(other, "openssl.log"));
      const cert = await makeClientCert(other, "intruder", ca, join(other, "openssl.log"));
      return { KAFKA_SSL_CERT_FILE: cert.cert, KAFKA_SSL_KEY_FILE: cert.key };
    },
  ],
];

for (const [name, tls] of refusals) {
  void test(`${name}: exit 3 at start-up, kafka_tls naming the client certificate, never joined`, async (ctx) => {
    const t = await prepare([{ key: pgKey(1), value: pgValue({ op: "c", id: 1, lsn: 10 }) }]);
    const began = Date.now();
    const r = await refusal(sinkThroughMtls(t, await tls()), began);
    ctx.diagnostic(`exit ${r.code} in ${r.ms} ms: ${r.fatal}`);
    assert.equal(r.code, 3, r.output.slice(-3000));
    assert.match(r.fatal, /"code":"kafka_tls"/, r.output.slice(-3000));
    assert.match(r.fatal, /refused this client's certificate/);
    assert.match(r.fatal, /KAFKA_SSL_CERT_FILE/);
    // Fails closed and fast: no group join, no commit, nothing written.
    assert.ok(r.ms < 45_000, `took ${r.ms} ms`);
    assert.ok(!r.output.includes("joined the consumer group"));
    const progress = await groupProgress(endpoints.kafkaBrokers, t.group, t.topic);
    assert.ok([...progress.values()].every(([committed]) => committed === -1n));
    assert.equal((await scanTable(endpoints.dynamodbEndpoint, t.table)).size, 0);
  });
}
