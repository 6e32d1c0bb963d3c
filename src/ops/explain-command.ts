// `cdc-sink explain`: reads one record (from Kafka at topic/partition/offset, or its value on
// stdin), reads the current item (GetItem, consistent, read-only) and prints what a write would do.

import type { Config } from "../config/config.ts";
import type { KafkaRecord } from "../core/types.ts";
import { readRanges } from "../adapters/kafka/range-reader.ts";
import { topicEnds, withAdmin } from "../adapters/kafka/admin-queries.ts";
import { offsetArg, parse, partitionArg, required } from "./args.ts";
import {
  OpsExit,
  OpsInputError,
  decodeOptionsFor,
  ephemeralGroup,
  guarded,
  itemOptionsFor,
  json,
  opsConfig,
  opsDynamo,
  opsKafka,
  type Io,
} from "./context.ts";
import { readItem } from "./dry-run-sink.ts";
import { explain, prepare, renderExplanation } from "./explain.ts";

const OPTIONS = {
  topic: { type: "string" },
  partition: { type: "string" },
  offset: { type: "string" },
  stdin: { type: "boolean" },
  key: { type: "string" },
  json: { type: "boolean" },
} as const;

/** Reads the one record at topic/partition/offset; a missing one is bad input, never a guess. */
export async function readOne(config: Config, topic: string, partition: number, offset: string) {
  const found: KafkaRecord[] = [];
  const next = (BigInt(offset) + 1n).toString();
  const kafka = opsKafka(config);
  const ends = await withAdmin(kafka, config.kafka.brokers, (a) => topicEnds(a, topic));
  const p = ends.find((e) => e.partition === partition);
  if (p === undefined) throw new OpsInputError(`topic ${topic} has no partition ${partition}`);
  if (BigInt(offset) < BigInt(p.low) || BigInt(offset) >= BigInt(p.high))
    throw new OpsInputError(
      `${topic}/${partition} holds offsets ${p.low}..${BigInt(p.high) - 1n}, not ${offset}`,
    );
  const groupId = ephemeralGroup(config, "explain");
  await readRanges(
    kafka,
    { topic, groupId, brokers: config.kafka.brokers, ranges: [{ partition, from: offset, to: next }] },
    (records) => {
      found.push(...records.filter((r) => r.offset === offset));
      return Promise.resolve();
    },
  );
  if (found[0] === undefined)
    throw new OpsInputError(
      `no record at ${topic}/${partition}@${offset} (a transaction marker or compacted away)`,
    );
  return found[0];
}

async function fromStdin(
  io: Io,
  topic: string,
  key: string | undefined,
  offset: string,
): Promise<KafkaRecord> {
  if (io.stdin === undefined) throw new OpsInputError("no stdin to read the record from");
  let text = "";
  for await (const chunk of io.stdin) text += chunk.toString();
  if (text.trim() === "") throw new OpsInputError("stdin is empty: give the record's value (Debezium JSON)");
  return {
    topic,
    partition: 0,
    offset,
    key: key === undefined ? null : Buffer.from(key),
    value: Buffer.from(text),
    headers: {},
    timestamp: String(Date.now()),
  };
}

export function explainCommand(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  return guarded("explain", io, async () => {
    const { values: v } = parse(argv, OPTIONS);
    const topic = required(v.topic, "--topic", "explain");
    const offset = offsetArg(v.offset, "offset");
    const partition = partitionArg(v.partition);
    if (v.stdin !== true && (offset === undefined || partition === undefined))
      throw new OpsInputError("give --partition and --offset, or --stdin (see cdc-sink explain --help)");
    const config = opsConfig(env, { table: true, topics: false });
    const record =
      v.stdin === true
        ? await fromStdin(io, topic, v.key, offset ?? "0")
        : await readOne(config, topic, partition!, offset!);
    const items = itemOptionsFor(config, topic);
    const prepared = prepare(record, decodeOptionsFor(config, topic), items, Date.now());
    let stored;
    if (prepared.kind === "change") {
      const dynamo = opsDynamo(config, env);
      try {
        stored = await readItem(dynamo, items, prepared.key, prepared.event);
      } finally {
        dynamo.destroy();
      }
    }
    const result = explain(record, prepared, stored, items.table, items.mapping);
    io.stdout.write(v.json === true ? json(result) : renderExplanation(result));
    return OpsExit.ok;
  });
}
