// `npm run bench -- --peers`: the peers' runs, called from bench/main.ts. Each regime runs the Flink
// peer over the many-keys topic into a fresh table, as B-ours runs; once per bench, the replay
// demonstration (replay.ts) runs both sinks over one small topic and holds their tables against it.

import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { createTopic } from "../../test/support/kafka.ts";
import { connectedProducer } from "../../test/support/kafka-progress.ts";
import { canonical, createTable, scanTable, stable } from "../../test/support/dynamo.ts";
import { uniqueName } from "../../test/support/names.ts";
import { runOurs } from "../ours.ts";
import { produceStream, type StreamOptions } from "../workload.ts";
import { startFlink, type FlinkBuild, type PeerResult } from "./flink.ts";
import { runFlink } from "./flink.ts";
import { itemState, newest, verdict, withReplay, type Verdict } from "./replay.ts";

export type Peers = { flink: PeerResult };
export type ReplayResult = {
  records: number;
  keys: number;
  resent: number;
  flink: Verdict;
  ours: Verdict;
  /** Keys where both tables hold a live item at the same version, and how many of those are equal. */
  sameVersion: number;
  identical: number;
};

// Flink runs source and sink in 2 slots: the machine's 2 cores (the topic's 12 partitions spread
// over them); more slots only add threads that compete for the same cores.
export const FLINK_PARALLELISM = 2;

type Stack = {
  brokers: string;
  endpoint: string;
  storeEndpoint: string;
  pids: Record<string, number | undefined>;
};

export async function runPeers(
  build: FlinkBuild,
  stack: Stack,
  topic: { topic: string; count: number },
  warmup: number,
  seconds: number,
  say: (line: string) => void,
): Promise<Peers> {
  const table = uniqueName("flink");
  await createTable(stack.storeEndpoint, table);
  const flink = await runFlink(
    {
      jar: build.jar,
      brokers: stack.brokers,
      endpoint: stack.endpoint,
      topic: topic.topic,
      group: uniqueName("flink"),
      table,
      parallelism: FLINK_PARALLELISM,
    },
    topic.count,
    warmup,
    seconds,
    (line) => say(`Flink: ${line}`),
    stack.pids,
  );
  return { flink };
}

/** Attributes that differ between two sinks writing the same change: when, and from which copy. */
function comparable(item: Record<string, AttributeValue>): Record<string, AttributeValue> {
  const rest = canonical(stable(item));
  delete rest["_cdc_offset"];
  return rest;
}

export async function replayDemo(
  build: FlinkBuild,
  productDir: string,
  brokers: string,
  endpoint: string,
  say: (line: string) => void,
): Promise<ReplayResult> {
  const o: StreamOptions = { records: 10_000, keys: 1_000, replayRate: 0.04, deleteRate: 0.05, seed: 11 };
  const fraction = 0.5;
  const topic = uniqueName("replay");
  await createTopic(brokers, topic, 12);
  const producer = await connectedProducer(brokers);
  const count = await produceStream(producer, topic, withReplay(o, fraction));
  await producer.disconnect();
  const truth = newest(withReplay(o, fraction), topic);
  say(`replay: ${count} messages (the stream, then its first half again) over ${truth.size} keys`);

  const oursTable = uniqueName("replay-ours");
  const flinkTable = uniqueName("replay-flink");
  await createTable(endpoint, oursTable);
  await createTable(endpoint, flinkTable);
  await runOurs(
    { productDir, brokers, endpoint, topic, group: uniqueName("ours"), table: oursTable },
    count,
    0,
    300,
    (line) => say(`replay B-ours: ${line}`),
  );
  const flink = startFlink(
    {
      jar: build.jar,
      brokers,
      endpoint,
      topic,
      group: uniqueName("flink"),
      table: flinkTable,
      parallelism: FLINK_PARALLELISM,
    },
    true,
  );
  try {
    const deadline = performance.now() + 300_000;
    while (!flink.state.finished) {
      if (flink.child.exitCode !== null || performance.now() > deadline)
        throw new Error(`Flink did not finish the replay topic:\n${flink.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await flink.stop();
  }
  const oursItems = await scanTable(endpoint, oursTable);
  const flinkItems = await scanTable(endpoint, flinkTable);
  const states = (items: Map<string, Record<string, AttributeValue>>) =>
    new Map([...truth.keys()].map((k) => [k, itemState(items.get(k))]));
  let sameVersion = 0;
  let identical = 0;
  for (const key of truth.keys()) {
    const a = oursItems.get(key);
    const b = flinkItems.get(key);
    const sa = itemState(a);
    const sb = itemState(b);
    if (sa === undefined || sb === undefined || sa.version !== sb.version) continue;
    sameVersion++;
    if (JSON.stringify(comparable(a!)) === JSON.stringify(comparable(b!))) identical++;
    else if (sameVersion - identical === 1)
      say(
        `replay: first differing item ${key}:\n ours ${JSON.stringify(comparable(a!))}\n flink ${JSON.stringify(comparable(b!))}`,
      );
  }
  return {
    records: count,
    keys: truth.size,
    resent: Math.floor(o.records * fraction),
    flink: verdict(truth, states(flinkItems)),
    ours: verdict(truth, states(oursItems)),
    sameVersion,
    identical,
  };
}
