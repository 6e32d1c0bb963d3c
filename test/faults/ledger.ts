// The ledger of truth: every record as it sits in the topic (read back after producing, so each has
// its real partition and offset), with the key, op and version the producer meant.

import { createHash } from "node:crypto";
import { readTopic } from "../support/kafka-progress.ts";

export type Entry = {
  partition: number;
  offset: bigint;
  key: string;
  op: "c" | "u" | "d" | "r" | "tombstone" | "poison";
  /**
   * `<lastCommitLsn>:<rank>:<lsn>` (20-digit numbers): the order the sink must respect, as
   * docs/versions.md defines it; "" for tombstones and poison.
   */
  version: string;
  valueHash: string;
};

export type Ledger = { entries: Entry[]; byPartition: Map<number, Entry[]>; expected: Map<string, Entry> };

const pad = (n: string | null | undefined): string => (n ?? "0").padStart(20, "0");

function classify(key: Buffer | null, value: Buffer | null): Pick<Entry, "key" | "op" | "version"> {
  const id = key === null ? "?" : key.toString();
  if (value === null) return { key: id, op: "tombstone", version: "" };
  try {
    let env = JSON.parse(value.toString().replace(/"lsn":(\d+)/, '"lsn":"$1"')) as {
      op?: string;
      source?: { lsn?: unknown; sequence?: string };
      payload?: unknown;
      schema?: unknown;
    };
    // JsonConverter wrapper
    if (env.payload !== undefined && env.schema !== undefined) env = env.payload as typeof env;
    // As docs/versions.md says: source.sequence's LSN when present, else source.lsn.
    const seq = JSON.parse(env.source?.sequence ?? "null") as [string | null, string | null] | null;
    const lsn = seq?.[1] ?? env.source?.lsn;
    if (
      key === null ||
      !["c", "u", "d", "r"].includes(env.op ?? "") ||
      typeof lsn !== "string" ||
      !/^\d+$/.test(lsn)
    )
      return { key: id, op: "poison", version: "" };
    const after = (env as { after?: unknown }).after;
    if (env.op !== "d" && (typeof after !== "object" || after === null || Array.isArray(after)))
      return { key: id, op: "poison", version: "" };
    const [lastCommit] = JSON.parse(env.source?.sequence ?? "[null]") as [string | null];
    return {
      key: id,
      op: env.op as Entry["op"],
      version: `${pad(lastCommit)}:${env.op === "r" ? 0 : 1}:${pad(lsn)}`,
    };
  } catch {
    return { key: id, op: "poison", version: "" };
  }
}

/** The comparable part of a stored `_cdc_version` (`pg:EEEE:` removed). */
export const storedVersion = (v: string | undefined): string =>
  v === undefined ? "" : v.slice("pg:0000:".length);

export async function readLedger(brokers: string, topic: string, count: number): Promise<Ledger> {
  const messages = await readTopic(brokers, topic, count, 120_000);
  if (messages.length !== count)
    throw new Error(`ledger: read ${messages.length} of ${count} records back from ${topic}`);
  const entries: Entry[] = messages.map((m) => ({
    partition: m.partition,
    offset: BigInt(m.offset),
    ...classify(m.key, m.value),
    valueHash: createHash("sha256")
      .update(m.value ?? Buffer.alloc(0))
      .digest("hex")
      .slice(0, 16),
  }));
  const byPartition = new Map<number, Entry[]>();
  for (const e of entries) {
    const list = byPartition.get(e.partition) ?? [];
    list.push(e);
    byPartition.set(e.partition, list);
  }
  for (const list of byPartition.values()) list.sort((a, b) => (a.offset < b.offset ? -1 : 1));
  // The newest version of each key decides its final state (later offsets win at equal LSNs).
  const expected = new Map<string, Entry>();
  for (const e of entries) {
    if (e.op === "tombstone" || e.op === "poison") continue;
    const cur = expected.get(e.key);
    if (cur === undefined || e.version > cur.version) expected.set(e.key, e);
  }
  return { entries, byPartition, expected };
}
