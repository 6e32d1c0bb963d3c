// A Debezium-shaped PostgreSQL change stream with its ledger of truth: what every key's final
// state must be, whatever order, duplication or crash the sink meets.

import type { Producer } from "kafkajs";
import { pgKey, pgValue, type PgChange } from "./debezium-records.ts";

export type Planned = { change: PgChange; key: Buffer; value: Buffer | null };

export type Workload = {
  readonly messages: Planned[];
  /** Final expected state per id: the newest version's op and row. */
  readonly expected: Map<string, { deleted: boolean; lsn: bigint; row: Record<string, unknown> | null }>;
};

/** A seeded pseudo-random generator, so a failing run can be repeated. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * keys × changesPerKey changes with growing LSNs (beyond 2^53 to catch rounding): creates, updates,
 * deletes followed by Kafka tombstones, re-inserts; then `replays` of earlier records re-sent
 * (duplicates and stale versions arriving late).
 */
export function makeWorkload(opts: {
  keys: number;
  changesPerKey: number;
  replays?: number;
  seed?: number;
  table?: string;
}): Workload {
  const random = prng(opts.seed ?? 1);
  const messages: Planned[] = [];
  const expected: Workload["expected"] = new Map();
  const live = new Set<number>();
  let lsn = 2n ** 53n;
  for (let round = 0; round < opts.changesPerKey; round++) {
    for (let k = 0; k < opts.keys; k++) {
      lsn += BigInt(1 + Math.floor(random() * 3));
      let op: PgChange["op"];
      if (!live.has(k)) op = "c";
      else op = random() < 0.2 ? "d" : "u";
      const row =
        op === "d"
          ? undefined
          : {
              name: `name-${k}-${round}`,
              balance: Math.floor(random() * 1e6) / 100,
              note: round % 3 === 0 ? null : "ünïcødé ✓",
            };
      const change: PgChange = {
        op,
        id: k,
        lsn,
        lastCommitLsn: lsn - 1n,
        ...(row === undefined ? {} : { row }),
        ...(opts.table === undefined ? {} : { table: opts.table }),
      };
      messages.push({ change, key: pgKey(k), value: pgValue(change) });
      if (op === "d") {
        live.delete(k);
        messages.push({ change, key: pgKey(k), value: null }); // Debezium's tombstone after a delete
      } else live.add(k);
      expected.set(String(k), { deleted: op === "d", lsn, row: op === "d" ? null : { id: k, ...row } });
    }
  }
  const originals = messages.filter((m) => m.value !== null);
  for (let i = 0; i < (opts.replays ?? 0); i++)
    messages.push(originals[Math.floor(random() * originals.length)]!);
  return { messages, expected };
}

export async function produce(
  producer: Producer,
  topic: string,
  messages: readonly Planned[],
  chunk = 500,
): Promise<void> {
  for (let i = 0; i < messages.length; i += chunk) {
    await producer.send({
      topic,
      acks: -1,
      messages: messages.slice(i, i + chunk).map((m) => ({ key: m.key, value: m.value })),
    });
  }
}
