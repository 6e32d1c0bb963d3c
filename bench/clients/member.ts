// One consume-only group member for the client comparison, in a process of its own:
//   node bench/clients/member.ts '<json MemberRequest>'
// It consumes through the product's Kafka port (src/adapters/kafka: the same client settings the
// sink uses, KAFKA_CLIENT and KAFKA_GROUP_PROTOCOL as chosen), commits what it has consumed every
// 500 ms as the sink does, and prints one JSON event a line on stdout: `subscribing`, each
// assignment change, each batch (completion time), `done` when `total` records are in (with the
// window's rate and CPU from /proc/self/stat, every thread included), and `summary` after SIGTERM
// (commit lag percentiles, peak RSS) once it has left the group.

import { readFileSync } from "node:fs";
import { kafkaClients } from "../../src/adapters/kafka/clients.ts";
import type { Assignment, CommitPoint, KafkaConsumerClient } from "../../src/engine/ports.ts";
import { createLog } from "../../src/telemetry/log.ts";
import { kafkaConfig } from "../../test/support/kafka-config.ts";
import { percentile } from "../latency.ts";
import { cpuMsOf, parseProcStat, statusMb } from "./measure.ts";

export type MemberRequest = {
  brokers: string;
  topic: string;
  group: string;
  client: "kafkajs" | "confluent";
  groupProtocol: "classic" | "consumer";
  /** Records after which `done` is printed (0: never). */
  total: number;
};

const emit = (event: object): void => void process.stdout.write(`${JSON.stringify(event)}\n`);
const cpuNow = (): number => cpuMsOf(parseProcStat(readFileSync("/proc/self/stat", "utf8")));
const count = (a: Assignment): number => Object.values(a).reduce((n, p) => n + p.length, 0);

async function main(r: MemberRequest): Promise<void> {
  const config = kafkaConfig({
    brokers: r.brokers.split(","),
    clientId: `bench-${r.client}`,
    client: r.client,
    groupProtocol: r.groupProtocol,
    groupId: r.group,
    topics: [r.topic],
  });
  const consumer: KafkaConsumerClient = (await kafkaClients(config, createLog("silent"))).consumer();
  // Per partition: the next offset to commit, and the completion time of each batch not yet committed.
  const next = new Map<number, bigint>();
  const pending = new Map<number, { at: number; n: number; upTo: bigint }[]>();
  const lags: number[] = [];
  let records = 0;
  let first: { at: number; cpu: number; records: number } | undefined;
  const drop = (a: Assignment | "all"): void => {
    const gone = a === "all" ? [...pending.keys()] : (a[r.topic] ?? []);
    for (const p of gone) {
      pending.delete(p);
      next.delete(p);
    }
  };
  const assignment = (kind: string, a: Assignment | undefined): void =>
    emit({ ev: "assign", kind, at: Date.now(), partitions: a === undefined ? 0 : count(a) });
  emit({ ev: "subscribing", at: Date.now() });
  await consumer.run(
    { topics: [r.topic], fromBeginning: true },
    {
      batch: (b) => {
        if (b.records.length === 0) return;
        const at = Date.now();
        const upTo = BigInt(b.records.at(-1)!.offset) + 1n;
        records += b.records.length;
        next.set(b.partition, upTo);
        const list = pending.get(b.partition) ?? [];
        list.push({ at, n: b.records.length, upTo });
        pending.set(b.partition, list);
        emit({ ev: "batch", at, p: b.partition, n: b.records.length });
        if (first === undefined) first = { at: performance.now(), cpu: cpuNow(), records };
        else if (r.total > 0 && records >= r.total && records - b.records.length < r.total) {
          const seconds = (performance.now() - first.at) / 1000;
          const counted = records - first.records;
          emit({
            ev: "done",
            records: counted,
            seconds,
            rate: counted / seconds,
            cpuMs: cpuNow() - first.cpu,
          });
        }
      },
      assigned: (a) => (drop("all"), assignment("assigned", a)),
      revokedAll: () => (drop("all"), assignment("revokedAll", undefined)),
      added: (a) => assignment("added", a),
      revoked: (a) => (drop(a), assignment("revoked", a)),
      failed: (err) => {
        emit({ ev: "failed", error: err.message });
        process.exit(1);
      },
    },
  );
  const commit = async (): Promise<void> => {
    const points: CommitPoint[] = [...next].map(([partition, offset]) => ({
      topic: r.topic,
      partition,
      offset: offset.toString(),
    }));
    if (points.length === 0) return;
    try {
      await consumer.commit(points);
    } catch (err) {
      if (consumer.isRebalanceError(err)) return; // redone after the rejoin
      throw err;
    }
    const at = Date.now();
    // Commit lag per record: from its batch's completion to the commit's acknowledgement.
    for (const p of points) {
      const list = pending.get(p.partition) ?? [];
      const upTo = BigInt(p.offset);
      while (list.length > 0 && list[0]!.upTo <= upTo) {
        const b = list.shift()!;
        for (let i = 0; i < b.n; i++) lags.push(at - b.at);
      }
    }
  };
  let committing = false;
  const timer = setInterval(() => {
    if (committing) return;
    committing = true;
    void commit().finally(() => (committing = false));
  }, config.commitIntervalMs);
  process.once("SIGTERM", () => {
    emit({ ev: "leaving", at: Date.now() });
    clearInterval(timer);
    void (async () => {
      while (committing) await new Promise((res) => setTimeout(res, 10));
      await commit().catch(() => undefined);
      await consumer.disconnect();
      emit({
        ev: "summary",
        left: Date.now(),
        commitLagP50Ms: percentile(lags, 50),
        commitLagP99Ms: percentile(lags, 99),
        peakRssMb: statusMb(readFileSync("/proc/self/status", "utf8"), "VmHWM"),
      });
      process.exit(0);
    })();
  });
}

if (import.meta.main) {
  process.removeAllListeners("warning"); // kafkajs 2.2.4 arms a negative timer on Node >= 23
  await main(JSON.parse(process.argv[2] ?? "{}") as MemberRequest);
}
