// The set-up shared by tests that run `cdc-sink run` processes against the stack: the endpoints, a
// connected producer, and the sinks a test spawned, SIGKILLed after the file's tests whatever
// happened to them.
import { after, before } from "node:test";
import type { Producer } from "kafkajs";
import { pgKey, pgValue } from "./debezium-records.ts";
import { connectedProducer } from "./kafka-progress.ts";
import type { SinkProcess } from "./sink-process.ts";
import { stackEndpoints, type Endpoints } from "./stack.ts";

export type SinkSuite = {
  /** Set in `before`: read them inside tests, not at module load. */
  endpoints: Endpoints;
  producer: Producer;
  /** Push every spawned sink here; each is killed after the file's tests. */
  readonly sinks: SinkProcess[];
};

/** Registers the file's before/after hooks and returns what they fill in. */
export function sinkSuite(): SinkSuite {
  const suite = { sinks: [] as SinkProcess[] } as unknown as SinkSuite;
  before(async () => {
    suite.endpoints = stackEndpoints();
    suite.producer = await connectedProducer(suite.endpoints.kafkaBrokers);
  });
  after(async () => {
    for (const s of suite.sinks) s.child.kill("SIGKILL");
    await suite.producer?.disconnect();
  });
  return suite;
}

/** Creates of ids from..to (inclusive) as PostgreSQL envelopes, at LSN 1000 + id. */
export function createWave(from: number, to: number, withName = false) {
  return Array.from({ length: to - from + 1 }, (_, i) => {
    const id = from + i;
    const row = withName ? { row: { name: `n${id}` } } : {};
    return { key: pgKey(id), value: pgValue({ op: "c", id, lsn: 1000 + id, ...row }) };
  });
}
