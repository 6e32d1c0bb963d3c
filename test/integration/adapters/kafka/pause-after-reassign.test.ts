// A partition paused right after it is assigned again, before its first batch, must still be read
// from the group's committed position when resumed. @confluentinc/kafka-javascript (1.10.1) seeks a
// paused partition to the last offset it handed out + 1 and keeps that offset across an eager
// rebalance: a partition this member read to its end in an earlier generation, nothing committed,
// was sought to its end by the pause, and its records never came again (fault scenario 11 stalled
// in the confluent cell: the sink paused every partition for the open breaker right after a join).
// The confluent adapter now seeks every pause itself (docs/kafka-clients.md); before, this failed
// with only the partition that had sent its batch read: [[1,40,0,39]].
// Runs with the client the test runner chose (`npm test -- --kafka-client confluent`), on the
// classic protocol, whose rebalances revoke and assign everything.

import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { kafkaClients } from "../../../../src/adapters/kafka/clients.ts";
import type { Assignment, ConsumerHandlers, KafkaConsumerClient } from "../../../../src/engine/ports.ts";
import { createLog } from "../../../../src/telemetry/log.ts";
import { pgKey, pgValue } from "../../../support/debezium-records.ts";
import { createTopic } from "../../../support/kafka.ts";
import { kafkaConfig } from "../../../support/kafka-config.ts";
import { connectedProducer } from "../../../support/kafka-progress.ts";
import { uniqueName } from "../../../support/names.ts";
import { clientMatrixEnv } from "../../../support/sink-process.ts";
import { stackEndpoints } from "../../../support/stack.ts";
import { waitFor } from "../../../support/wait.ts";

const RECORDS = 40;
const PARTITIONS = 3;

test("partitions paused right after a reassignment, before their first batch, are read from the committed position once resumed", async () => {
  const endpoints = stackEndpoints();
  const topic = uniqueName("repause");
  await createTopic(endpoints.kafkaBrokers, topic, PARTITIONS);
  const producer = await connectedProducer(endpoints.kafkaBrokers);
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: RECORDS * PARTITIONS }, (_, i) => ({
      partition: i % PARTITIONS,
      key: pgKey(i),
      value: pgValue({ op: "c", id: i, lsn: 100 + i, row: { name: `n${i}` } }),
    })),
  });
  await producer.disconnect();

  const client = (clientMatrixEnv(process.env)["KAFKA_CLIENT"] ?? "kafkajs") as "kafkajs" | "confluent";
  const config = kafkaConfig({
    brokers: endpoints.kafkaBrokers.split(","),
    groupId: uniqueName("g"),
    topics: [topic],
    client,
    groupProtocol: "classic",
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 1_000,
  });
  const log = createLog("warn", new Writable({ write: (_c, _e, done) => done() }));
  const clients = await kafkaClients(config, log);
  const a = clients.consumer();
  const b = clients.consumer();
  // A's records of the current generation by partition, and its assignment.
  let seen = new Map<number, number[]>();
  let held: readonly number[] = [];
  let final = false;
  let pausedAll = false;
  const assigned = (assignment: Assignment) => {
    seen = new Map();
    held = assignment[topic] ?? [];
  };
  const handlersA: ConsumerHandlers = {
    batch: (x) => {
      seen.set(x.partition, [...(seen.get(x.partition) ?? []), ...x.records.map((r) => Number(r.offset))]);
      // In the final generation, the first batch pauses every partition held, as the engine does
      // when it stops taking records (the breaker opens, memory runs short), and a second later
      // resumes them: the partitions that had not sent a batch yet must start from the beginning.
      if (final && !pausedAll && held.length === PARTITIONS) {
        pausedAll = true;
        a.pause(topic, held);
        setTimeout(() => a.resume(topic, held), 1_000);
      }
    },
    assigned,
    added: assigned,
    revokedAll: () => undefined,
    revoked: () => undefined,
    failed: (err) => assert.fail(err),
  };
  const handlersB: ConsumerHandlers = {
    ...handlersA,
    batch: () => undefined,
    assigned: () => undefined,
    added: () => undefined,
  };
  const complete = () =>
    held.length === PARTITIONS && held.every((p) => (seen.get(p) ?? []).includes(RECORDS - 1));
  const describe = () =>
    JSON.stringify(
      [...seen].map(([p, offsets]) => [p, offsets.length, Math.min(...offsets), Math.max(...offsets)]),
    );
  const running: KafkaConsumerClient[] = [a];
  try {
    await a.run({ topics: [topic], pattern: undefined, fromBeginning: true }, handlersA);
    // Generation 1: A alone reads every partition to its end and commits nothing.
    await waitFor(complete, { timeoutMs: 60_000, message: "A did not read the partitions" });
    // B joins (the partitions are shared), then leaves: A is assigned every partition again.
    running.push(b);
    await b.run({ topics: [topic], pattern: undefined, fromBeginning: true }, handlersB);
    await waitFor(() => held.length < PARTITIONS, { timeoutMs: 60_000, message: "B took no partition" });
    final = true;
    running.pop();
    await b.disconnect();
    await waitFor(() => pausedAll, {
      timeoutMs: 60_000,
      message: "A was not assigned every partition again",
    });
    await waitFor(complete, {
      timeoutMs: 30_000,
      message: `after the pause and resume A read (partition, records, first, last): ${describe()}`,
    });
    for (const p of held) assert.equal(Math.min(...seen.get(p)!), 0, `partition ${p}: ${describe()}`);
  } finally {
    for (const c of running) await c.disconnect();
  }
});
