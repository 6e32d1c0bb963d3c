// `npm run bench -- --peers`: the peers' runs, called from bench/main.ts. Each regime runs the Flink
// peer over the many-keys topic into a fresh table, as B-ours runs; once per bench, the replay
// demonstration (replay.ts) runs both sinks over one small topic and holds their tables against it.

import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { createTopic } from "../../test/support/kafka.ts";
import { connectedProducer } from "../../test/support/kafka-progress.ts";
import { canonical, createTable, scanTable, stable } from "../../test/support/dynamo.ts";
import { uniqueName } from "../../test/support/names.ts";
import { runOurs } from "../ours.ts";
import { changeStream, produceStream, type StreamOptions } from "../workload.ts";
import { runFlink, startFlink, type FlinkBuild, type FlinkOptions, type PeerResult } from "./flink.ts";
import { itemState, lastWins, newest, verdict, withReplay, type Verdict } from "./replay.ts";

export type Peers = { flink: PeerResult };
export type ReplayResult = {
  records: number;
  keys: number;
  resent: number;
  /** After the first pass, over the stream as written (its own few stale replays included). */
  stream: { flink: Verdict; ours: Verdict };
  /** What a key-order-keeping unconditional writer would leave after each pass (computed). */
  ordered: { stream: Verdict; replay: Verdict };
  /** After the second pass, with the first half sent again. */
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

async function runFlinkToEnd(o: FlinkOptions): Promise<void> {
  const flink = startFlink(o, true);
  try {
    const deadline = performance.now() + 300_000;
    while (!flink.state.finished) {
      if (flink.child.exitCode !== null || performance.now() > deadline)
        throw new Error(`Flink did not finish ${o.topic}:\n${flink.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await flink.stop();
  }
}

/**
 * Both sinks over one topic, each into its own table, twice: over the stream as Debezium wrote it
 * (where the items of both must agree wherever they hold the same version), then, after the first
 * half of the stream was sent again, from the beginning once more.
 */
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
  const tables = { ours: uniqueName("replay-ours"), flink: uniqueName("replay-flink") };
  await createTable(endpoint, tables.ours);
  await createTable(endpoint, tables.flink);
  const producer = await connectedProducer(brokers);
  let count = 0;
  const pass = async (label: string): Promise<void> => {
    say(`replay: ${label}, ${count} messages`);
    await runOurs(
      { productDir, brokers, endpoint, topic, group: uniqueName("ours"), table: tables.ours },
      count,
      0,
      300,
      (line) => say(`replay B-ours: ${line}`),
    );
    const flink = { jar: build.jar, brokers, endpoint, topic, table: tables.flink };
    await runFlinkToEnd({ ...flink, group: uniqueName("flink"), parallelism: FLINK_PARALLELISM });
  };
  const scan = async () => ({
    ours: await scanTable(endpoint, tables.ours),
    flink: await scanTable(endpoint, tables.flink),
  });
  try {
    count += await produceStream(producer, topic, changeStream(o));
    await pass("the stream as written");
    const first = await scan();
    const resent = [...changeStream(o)].slice(0, Math.floor(o.records * fraction));
    count += await produceStream(producer, topic, resent);
    await pass("the first half sent again, every message from the beginning");
    const second = await scan();
    const truth = newest(withReplay(o, fraction), topic);
    const states = (items: Map<string, Record<string, AttributeValue>>) =>
      new Map([...truth.keys()].map((k) => [k, itemState(items.get(k))]));
    let sameVersion = 0;
    let identical = 0;
    for (const key of truth.keys()) {
      const a = first.ours.get(key);
      const b = first.flink.get(key);
      const sa = itemState(a);
      const sb = itemState(b);
      if (sa === undefined || sb === undefined || sa.version !== sb.version) continue;
      sameVersion++;
      if (JSON.stringify(comparable(a!)) === JSON.stringify(comparable(b!))) identical++;
      else if (sameVersion - identical === 1)
        say(
          `replay: first differing item ${key}:\n ours  ${JSON.stringify(comparable(a!))}\n ` +
            `flink ${JSON.stringify(comparable(b!))}`,
        );
    }
    const firstTruth = newest(changeStream(o), topic);
    const firstStates = (items: Map<string, Record<string, AttributeValue>>) =>
      new Map([...firstTruth.keys()].map((k) => [k, itemState(items.get(k))]));
    return {
      records: count,
      keys: truth.size,
      resent: resent.length,
      stream: {
        flink: verdict(firstTruth, firstStates(first.flink)),
        ours: verdict(firstTruth, firstStates(first.ours)),
      },
      ordered: {
        stream: verdict(firstTruth, lastWins(changeStream(o), topic)),
        replay: verdict(truth, lastWins(withReplay(o, fraction), topic)),
      },
      flink: verdict(truth, states(second.flink)),
      ours: verdict(truth, states(second.ours)),
      sameVersion,
      identical,
    };
  } finally {
    await producer.disconnect();
  }
}
