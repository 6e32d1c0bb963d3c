// G5 and G6 while B-ours runs: a paced producer sends fresh keys (one write per record) at a fixed
// rate; afterwards the table and the reply clock say when each record became durable. Produce time
// = the Kafka record timestamp, set by the producer and also stored in the row (`produced_at`), so
// it can be read back with the item; durable time = when the store's successful reply to the write
// reached the sink (reply-clock.ts, a relay in front of the store). The item's `_cdc_written_at`,
// stamped when the sink builds the request, gives produce→sent beside it: the difference is the
// write's round trip. Commit lag = from durable to the first sample of admin.fetchOffsets (every
// 100 ms) whose committed offset is past the record.

import type { Admin, Producer } from "kafkajs";
import { pgKey, pgValue } from "../test/support/debezium-records.ts";
import { scanTable } from "../test/support/dynamo.ts";
import { kafkaClient } from "../test/support/kafka.ts";
import { startOurs, type OursOptions } from "./ours.ts";
import { startReplyClock } from "./reply-clock.ts";

export type LatencyResult = {
  rate: number;
  records: number;
  p50Ms: number;
  p99Ms: number;
  /** Produce → the request built (`_cdc_written_at`): without the write's round trip. */
  sentP50Ms: number;
  sentP99Ms: number;
  /** Produce → the broker's ack to the benchmark's producer: its own share, not the sink's. */
  ackedP99Ms: number;
  commitLagP50Ms: number;
  commitLagP99Ms: number;
  unseen: number;
  /** Seconds produced before the measured window (the sink's first seconds: JIT, heap growth). */
  warmupSeconds: number;
  /** p99 produce→durable of the warm-up's records: reported, not judged. */
  warmupP99Ms: number;
  /** Every run's figures when the arm was repeated (bench/focus.ts); this result is the median's. */
  runs?: { p50Ms: number; p99Ms: number }[];
};

export type Commit = { at: number; offset: bigint };
/** One record's produce time and how long the broker took to acknowledge it. */
export type Acked = { producedAt: number; ms: number };

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Sends `rate` records/s for `seconds`, in 10 ms ticks; returns how many were sent and, per record,
 * its timestamp and how long after it the broker acknowledged it.
 */
export async function pacedProduce(
  producer: Producer,
  topic: string,
  rate: number,
  seconds: number,
  firstId: number,
): Promise<{ sent: number; acked: Acked[] }> {
  const acked: Acked[] = [];
  const started = Date.now();
  let sent = 0;
  let lsn = 2n ** 53n;
  const bio = "x".repeat(600);
  const pending = new Set<Promise<unknown>>();
  let failed: Error | undefined;
  while (Date.now() - started < seconds * 1000 && failed === undefined) {
    const due = Math.floor(((Date.now() - started) / 1000) * rate) - sent;
    if (due > 0) {
      const now = Date.now();
      const messages = Array.from({ length: due }, (_, i) => {
        lsn += 2n;
        const id = firstId + sent + i;
        return {
          key: pgKey(id),
          value: pgValue({
            op: "c",
            id,
            lsn,
            lastCommitLsn: lsn - 1n,
            row: { produced_at: now, name: `customer ${id}`, bio },
          }),
          timestamp: String(now),
        };
      });
      sent += due;
      // acks=-1: the record counts as produced once every in-sync replica has it.
      const p = producer
        .send({ topic, acks: -1, messages })
        .then(() => {
          const ms = Date.now() - now;
          for (let i = 0; i < messages.length; i++) acked.push({ producedAt: now, ms });
        })
        .catch((err: unknown) => void (failed ??= err instanceof Error ? err : new Error(String(err))));
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await Promise.all(pending);
  if (failed !== undefined) throw failed;
  return { sent, acked };
}

/** Samples the group's committed offsets until stopped; returns per partition the commit history. */
export function sampleCommits(
  admin: Admin,
  group: string,
  topic: string,
): { stop(): Promise<Map<number, Commit[]>> } {
  const history = new Map<number, Commit[]>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = Date.now();
      const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] }).catch(() => []);
      for (const p of offsets[0]?.partitions ?? []) {
        const list = history.get(p.partition) ?? [];
        const offset = BigInt(p.offset);
        if (offset >= 0n && (list.length === 0 || list.at(-1)!.offset !== offset)) list.push({ at, offset });
        history.set(p.partition, list);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return history;
    },
  };
}

/**
 * The figures of the records produced from `measuredFrom` on; the earlier ones (the warm-up) give
 * only `warmupP99Ms`. Every record counts in `unseen`.
 */
export async function measureLatency(
  endpoint: string,
  table: string,
  commits: ReadonlyMap<number, Commit[]>,
  window: LatencyWindow,
  durableAt: ReadonlyMap<string, number>,
  acked: readonly Acked[] = [],
): Promise<LatencyResult> {
  return latencyFigures(await scanTable(endpoint, table), commits, window, durableAt, acked);
}

export type LatencyWindow = { rate: number; sent: number; measuredFrom: number; warmupSeconds: number };

/** measureLatency's arithmetic over the table's items (key → item). */
export function latencyFigures(
  items: ReadonlyMap<string, Record<string, { N?: string }>>,
  commits: ReadonlyMap<number, Commit[]>,
  window: LatencyWindow,
  durableAt: ReadonlyMap<string, number>,
  acked: readonly Acked[],
): LatencyResult {
  const latency: number[] = [];
  const warmup: number[] = [];
  const toSent: number[] = [];
  const lag: number[] = [];
  let unseen = 0;
  for (const [key, item] of items) {
    const produced = Number(item["produced_at"]?.N);
    const durable = durableAt.get(key);
    // An item with no reply noted was written through another path: counted as not seen.
    if (durable === undefined) {
      unseen++;
      continue;
    }
    if (produced < window.measuredFrom) {
      warmup.push(durable - produced);
      continue;
    }
    toSent.push(Number(item["_cdc_written_at"]?.N) - produced);
    latency.push(durable - produced);
    const offset = BigInt(item["_cdc_offset"]!.N!);
    const committed = commits.get(Number(item["_cdc_partition"]!.N))?.find((c) => c.offset > offset);
    if (committed === undefined) unseen++;
    else lag.push(committed.at - durable);
  }
  const ackedMs = acked.filter((a) => a.producedAt >= window.measuredFrom).map((a) => a.ms);
  return {
    rate: window.rate,
    records: latency.length,
    p50Ms: percentile(latency, 50),
    p99Ms: percentile(latency, 99),
    sentP50Ms: percentile(toSent, 50),
    sentP99Ms: percentile(toSent, 99),
    ackedP99Ms: percentile(ackedMs, 99),
    commitLagP50Ms: percentile(lag, 50),
    commitLagP99Ms: percentile(lag, 99),
    unseen: unseen + (window.sent - items.size),
    warmupSeconds: window.warmupSeconds,
    warmupP99Ms: percentile(warmup, 99),
  };
}

/**
 * Starts B-ours on an empty topic, produces at `rate` for `warmupSeconds` + `seconds` without a
 * break, waits for the sink, measures the records of the last `seconds`. The warm-up is left out of
 * the judged figures as the throughput arms leave theirs out: a fresh process's first seconds (V8
 * compiling the hot path, the heap growing to its working size, the benchmark's own producer
 * connecting) queue records for up to seconds — measured, per-second p99 227–3 441 ms in the first
 * second, 12–45 ms from the fifth on — and a long-running sink pays that once, not at p99.
 */
export async function runLatency(
  o: OursOptions,
  tableEndpoint: string,
  rate: number,
  seconds: number,
  warmupSeconds: number,
): Promise<LatencyResult> {
  const clock = await startReplyClock(o.endpoint);
  const run = startOurs({ ...o, endpoint: clock.endpoint });
  const admin = kafkaClient(o.brokers, "bench-admin").admin();
  await admin.connect();
  // Pipelined, not the fixtures' idempotent producer: that one allows one request in flight, so its
  // sends queued behind each other under load and its own wait showed up in G5 (p99 produce→acked
  // 220–285 ms on a loaded machine). Each record here is a fresh key, so a retry's duplicate append
  // costs nothing but a refused write, and order between requests does not matter.
  const producer = kafkaClient(o.brokers, "bench-latency-producer").producer({
    allowAutoTopicCreation: false,
    idempotent: false,
    maxInFlightRequests: 8,
  });
  await producer.connect();
  try {
    await run.joined;
    const commits = sampleCommits(admin, o.group, o.topic);
    const measuredFrom = Date.now() + warmupSeconds * 1000;
    const { sent, acked } = await pacedProduce(producer, o.topic, rate, warmupSeconds + seconds, 0);
    const deadline = Date.now() + 120_000;
    while ((await run.finished()) < sent && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    // A few commit intervals, so the last records' commits are sampled.
    await new Promise((r) => setTimeout(r, 1500));
    return await measureLatency(
      tableEndpoint,
      o.table,
      await commits.stop(),
      { rate, sent, measuredFrom, warmupSeconds },
      clock.durableAt,
      acked,
    );
  } finally {
    await producer.disconnect();
    await admin.disconnect();
    await run.stop();
    await clock.close();
  }
}
