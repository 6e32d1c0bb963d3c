// The three measurements of one client configuration (a "cell"): the consume-only arm, B-ours
// (the real `cdc-sink run` with KAFKA_CLIENT / KAFKA_GROUP_PROTOCOL set), and the stall when a
// second consume-only member joins the group and when it leaves, under a paced producer.

import type { Endpoints } from "../../tools/stack/index.ts";
import { createTopic, kafkaClient } from "../../test/support/kafka.ts";
import { uniqueName } from "../../test/support/names.ts";
import { createTable } from "../../test/support/dynamo.ts";
import { pacedProduce, runLatency } from "../latency.ts";
import { runOurs } from "../ours.ts";
import { longestGap, stallAfter } from "./measure.ts";
import { startMember, type Member } from "./members.ts";

export type Cell = { name: string; client: "kafkajs" | "confluent"; groupProtocol: "classic" | "consumer" };

export const CELLS: Cell[] = [
  { name: "kafkajs (classic)", client: "kafkajs", groupProtocol: "classic" },
  { name: "confluent classic", client: "confluent", groupProtocol: "classic" },
  { name: "confluent KIP-848", client: "confluent", groupProtocol: "consumer" },
];

export type ConsumeFigures = {
  rate: number;
  cpuUsPerRecord: number;
  peakRssMb: number;
  commitLagP99Ms: number;
};
export type OursFigures = {
  rate: number;
  cpuMsPerRecord: number;
  peakRssMb: number;
  commitLagP99Ms: number;
  unseen: number;
};
export type GroupFigures = {
  /** The longest gap in the 3 s before the join: the noise floor of the stalls. */
  quietGapMs: number;
  joinStallMs: number;
  leaveStallMs: number;
  /** From the second member's subscribe to its first assignment. */
  joinRebalanceMs: number;
  /** From the second member's leaving to the first member holding every partition again. */
  leaveRebalanceMs: number;
};

export type Say = (line: string) => void;
export const PARTITIONS = 12;

/** The consume-only arm over a pre-filled topic: rate and CPU from the first batch to the last record. */
export async function consumeCell(
  cell: Cell,
  brokers: string,
  topic: { topic: string; count: number },
): Promise<ConsumeFigures> {
  const member = startMember(
    { brokers, topic: topic.topic, group: uniqueName("clients"), ...cell, total: topic.count },
    cell.name,
  );
  try {
    const done = await member.waitFor("done", 300_000);
    // Two commit intervals, so the last records' commits are in the lag figures.
    await new Promise((r) => setTimeout(r, 1100));
    const summary = await member.stop();
    return {
      rate: done.rate,
      cpuUsPerRecord: (done.cpuMs * 1000) / done.records,
      peakRssMb: summary.peakRssMb,
      commitLagP99Ms: summary.commitLagP99Ms,
    };
  } finally {
    member.child.kill("SIGKILL");
  }
}

/** B-ours: the throughput window over the pre-filled topic, then the commit lag at a paced rate. */
export async function oursCell(
  cell: Cell,
  endpoints: Endpoints,
  topic: { topic: string; count: number },
  sizes: { warmup: number; window: number; latencyRate: number; latencySeconds: number },
  say: Say,
): Promise<OursFigures> {
  const env = { KAFKA_CLIENT: cell.client, KAFKA_GROUP_PROTOCOL: cell.groupProtocol };
  const table = async (): Promise<string> => {
    const name = uniqueName("clients");
    await createTable(endpoints.dynamodbEndpoint, name);
    return name;
  };
  const base = {
    productDir: new URL("../..", import.meta.url).pathname,
    brokers: endpoints.kafkaBrokers,
    endpoint: endpoints.dynamodbEndpoint,
    env,
  };
  const run = await runOurs(
    { ...base, topic: topic.topic, group: uniqueName("ours"), table: await table() },
    topic.count,
    sizes.warmup,
    sizes.window,
    (l) => say(`${cell.name} B-ours: ${l}`),
  );
  const latencyTopic = uniqueName("clients-latency");
  await createTopic(endpoints.kafkaBrokers, latencyTopic, PARTITIONS);
  const latency = await runLatency(
    { ...base, topic: latencyTopic, group: uniqueName("ours"), table: await table() },
    endpoints.dynamodbEndpoint,
    sizes.latencyRate,
    sizes.latencySeconds,
    sizes.warmup,
  );
  return {
    rate: run.rate,
    cpuMsPerRecord: run.cpuMsPerRecord["sink"]!,
    peakRssMb: run.peakRssMb,
    commitLagP99Ms: latency.commitLagP99Ms,
    unseen: latency.unseen,
  };
}

/**
 * A member consumes a topic fed at `rate` records/s; a second member joins, consumes a while and
 * leaves (SIGTERM: a final commit, then LeaveGroup or its KIP-848 equivalent). The completion times
 * of both members' batches give the stalls.
 */
export async function groupCell(cell: Cell, brokers: string, rate: number, say: Say): Promise<GroupFigures> {
  const topic = uniqueName("clients-group");
  await createTopic(brokers, topic, PARTITIONS);
  const group = uniqueName("clients-group");
  const request = { brokers, topic, group, ...cell, total: 0 };
  // Not idempotent: see run.ts (kafkajs's idempotent producer with several sends in flight).
  const producer = kafkaClient(brokers, "bench-clients-feed").producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const producing = { on: true };
  // pacedProduce runs for fixed seconds: run it in slices until told to stop.
  const feeding = (async () => {
    let id = 0;
    while (producing.on) id += (await pacedProduce(producer, topic, rate, 1, 20_000_000 + id)).sent;
  })();
  const members: Member[] = [];
  try {
    const a = startMember(request, `${cell.name} member A`);
    members.push(a);
    await a.waitFor("batch", 60_000);
    await new Promise((r) => setTimeout(r, 4000));
    const b = startMember(request, `${cell.name} member B`);
    members.push(b);
    const subscribing = await b.waitFor("subscribing", 30_000);
    const bAssigned = await b.waitFor("assign", 60_000, (e) => e.partitions > 0);
    say(`${cell.name}: member B assigned ${bAssigned.partitions} partitions`);
    await b.waitFor("batch", 30_000);
    await new Promise((r) => setTimeout(r, 4000));
    await b.stop();
    const leaving = b.events.find((e) => e.ev === "leaving")!.at;
    const holdsAll = (): number | undefined => {
      let held = 0;
      for (const e of a.events) {
        if (e.ev !== "assign") continue;
        if (e.kind === "assigned") held = e.partitions;
        else if (e.kind === "added") held += e.partitions;
        else if (e.kind === "revoked") held -= e.partitions;
        else held = 0;
        if (e.at >= leaving && held === PARTITIONS) return e.at;
      }
      return undefined;
    };
    const deadline = Date.now() + 60_000;
    while (holdsAll() === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 3000));
    const times = members.flatMap((m) => m.events.flatMap((e) => (e.ev === "batch" ? [e.at] : [])));
    const horizon = 20_000;
    const stallEnd = (from: number): number => Math.min(horizon, Date.now() - from);
    return {
      quietGapMs: longestGap(times, subscribing.at - 3000, subscribing.at),
      joinStallMs: stallAfter(
        times,
        subscribing.at,
        Math.min(stallEnd(subscribing.at), leaving - subscribing.at),
      ),
      leaveStallMs: stallAfter(times, leaving, stallEnd(leaving)),
      joinRebalanceMs: bAssigned.at - subscribing.at,
      leaveRebalanceMs: (holdsAll() ?? NaN) - leaving,
    };
  } finally {
    producing.on = false;
    await feeding.catch(() => undefined);
    await producer.disconnect();
    await Promise.all(
      members.map((m) =>
        m.child.exitCode === null
          ? m.stop().then(
              () => undefined,
              () => undefined,
            )
          : Promise.resolve(),
      ),
    );
  }
}
