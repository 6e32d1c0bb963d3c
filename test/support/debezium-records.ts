// Builders of Debezium-shaped records for tests and the demo's producer.

import type { KafkaRecord } from "../../src/core/types.ts";

export type PgChange = {
  op: "c" | "u" | "d" | "r";
  id: number | string;
  lsn: bigint | number;
  lastCommitLsn?: bigint | number | null;
  row?: Record<string, unknown>;
  table?: string;
};

function bigJson(value: unknown): string {
  // JSON.stringify cannot write bigint; LSNs beyond 2^53 must stay exact in the text.
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `__BIG__${v}__` : v)).replace(
    /"__BIG__(\d+)__"/g,
    "$1",
  );
}

export function pgEnvelope(c: PgChange): Record<string, unknown> {
  const row = c.op === "d" ? null : { id: c.id, ...(c.row ?? {}) };
  return {
    before: c.op === "d" ? { id: c.id } : null,
    after: row,
    source: {
      version: "3.0.8.Final",
      connector: "postgresql",
      name: "pg",
      ts_ms: 1_700_000_000_000,
      snapshot: c.op === "r" ? "true" : "false",
      db: "app",
      sequence: bigJson([
        c.lastCommitLsn === undefined || c.lastCommitLsn === null ? null : String(c.lastCommitLsn),
        String(c.lsn),
      ]),
      schema: "public",
      table: c.table ?? "customers",
      txId: 1,
      lsn: c.lsn,
    },
    op: c.op,
    ts_ms: 1_700_000_000_100,
  };
}

export function pgValue(c: PgChange): Buffer {
  return Buffer.from(bigJson(pgEnvelope(c)));
}

export function pgKey(id: number | string): Buffer {
  return Buffer.from(JSON.stringify({ id }));
}

export function record(partial: Partial<KafkaRecord> & { offset: string }): KafkaRecord {
  return {
    topic: "pg.public.customers",
    partition: 0,
    key: null,
    value: null,
    headers: {},
    timestamp: "0",
    ...partial,
  };
}

export function pgRecord(
  c: PgChange,
  offset: number,
  topic = "pg.public.customers",
  partition = 0,
): KafkaRecord {
  return record({ topic, partition, offset: String(offset), key: pgKey(c.id), value: pgValue(c) });
}
