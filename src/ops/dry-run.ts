// `cdc-sink run --dry-run`: every record from where the sink's group stands (or from the log start)
// up to the log end at start-up goes through the product's own processor (engine/processor.ts:
// decoding, per-key order, coalescing within a batch, dead-lettering) with a Sink that only reads
// (dry-run-sink.ts) and a dead letter that only counts. It reads as a throw-away group that never
// commits, so the sink's committed offsets and the table stay exactly as they were.

import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Config } from "../config/config.ts";
import { ExitCode, FatalError, type ClassifiedError } from "../core/errors.ts";
import { itemKey } from "../core/identity.ts";
import type { KafkaRecord } from "../core/types.ts";
import { committedOffsets, offsetsForTime, topicEnds, withAdmin } from "../adapters/kafka/admin-queries.ts";
import { readRanges, type ReadRange } from "../adapters/kafka/range-reader.ts";
import { AdaptiveLimiter } from "../engine/limiter.ts";
import type { Sink } from "../engine/ports.ts";
import { Processor } from "../engine/processor.ts";
import { Stats } from "../engine/stats.ts";
import { createLog } from "../telemetry/log.ts";
import { parse } from "./args.ts";
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
import { DryRunSink } from "./dry-run-sink.ts";
import { renderSummary, Tally } from "./summary.ts";
import { sinkTopics } from "./topics.ts";

const OPTIONS = {
  "dry-run": { type: "boolean" },
  from: { type: "string" },
  topic: { type: "string", multiple: true },
  first: { type: "string" },
  json: { type: "boolean" },
} as const;

/** Where to start: the group's commits, the log start, or the first offset at or after a time. */
type Start = "committed" | "earliest" | number;

function startOf(value: string | undefined): Start {
  if (value === undefined || value === "committed" || value === "earliest") return value ?? "committed";
  const ms = /\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms))
    throw new OpsInputError(`--from must be committed, earliest or an ISO-8601 time, not ${value}`);
  return ms;
}

async function plannedRanges(
  config: Config,
  topics: string[],
  start: Start,
  kafka: ReturnType<typeof opsKafka>,
) {
  return withAdmin(kafka, config.kafka.brokers, async (admin) => {
    const out = new Map<string, ReadRange[]>();
    for (const topic of await sinkTopics(admin, config, topics)) {
      const committed = await committedOffsets(admin, config.kafka.groupId, topic);
      const byTime = typeof start === "number" ? await offsetsForTime(admin, topic, start) : undefined;
      out.set(
        topic,
        (await topicEnds(admin, topic)).map((e) => {
          const c = committed.get(e.partition);
          // Where `run` would start: the commit; without one, KAFKA_FROM_BEGINNING decides (kafkajs).
          const fallback = config.kafka.fromBeginning ? e.low : e.high;
          const atCommit =
            c !== undefined && BigInt(c) >= 0n ? (BigInt(c) < BigInt(e.low) ? e.low : c) : fallback;
          const from =
            start === "earliest"
              ? e.low
              : byTime !== undefined
                ? (byTime.get(e.partition) ?? e.high)
                : atCommit;
          return { partition: e.partition, from, to: e.high };
        }),
      );
    }
    return out;
  });
}

export function dryRunCommand(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  return guarded("run --dry-run", io, async () => {
    const { values: v } = parse(argv, OPTIONS);
    const start = startOf(v.from);
    const config = opsConfig(env, { table: true, topics: (v.topic ?? []).length === 0 });
    const kafka = opsKafka(config);
    const ranges = await plannedRanges(config, v.topic ?? [], start, kafka);
    const dynamo: DynamoDBClient = opsDynamo(config, env);
    const tally = new Tally(Number(v.first ?? "5"));
    const keys = new Map<KafkaRecord, string>();
    const label = (r: KafkaRecord) => keys.get(r) ?? `${r.topic}/${r.partition}@${r.offset}`;
    let fatal: Error | undefined;
    const sinks = new Map<string, Sink>();
    const stats = new Stats();
    const processor = new Processor({
      sinkFor: (topic) => {
        const options = itemOptionsFor(config, topic);
        const key = `${options.table}/${options.tombstoneTtlSeconds}`;
        if (!sinks.has(key)) sinks.set(key, new DryRunSink(dynamo, options));
        return sinks.get(key)!;
      },
      decodeOptions: (topic) => decodeOptionsFor(config, topic),
      // Counted, never published: a dry run must leave the DLQ topic as it is.
      deadLetter: { publish: () => Promise.resolve() },
      limiter: new AdaptiveLimiter(config.processing.maxInFlight),
      backoff: { baseMs: config.processing.retryBaseMs, maxMs: config.processing.retryMaxMs },
      stats,
      maxBuffered: config.processing.maxBuffered,
      flow: { pause: () => undefined, resume: () => undefined },
      onFatal: (err) => {
        fatal ??= err;
        processor.stop();
      },
      log: createLog("error", process.stderr),
      observer: {
        decoded: (r, e) => void keys.set(r, itemKey(e.source, e.id)),
        finished: (r, outcome, detail?: { error?: ClassifiedError }) => {
          tally.add(outcome, label(r), detail?.error?.code);
          keys.delete(r);
        },
      },
    });
    const groupId = ephemeralGroup(config, "dry-run");
    try {
      for (const [topic, rs] of ranges) {
        processor.assign({ [topic]: rs.map((r) => r.partition) });
        await readRanges(
          kafka,
          { topic, groupId, brokers: config.kafka.brokers, ranges: rs },
          async (records) => {
            if (fatal !== undefined) throw fatal;
            processor.enqueue(topic, records[0]!.partition, records);
            // The reader waits while the processor holds a full buffer (run pauses partitions instead).
            while (processor.buffered >= config.processing.maxBuffered && fatal === undefined)
              await processor.drain(1000);
          },
        );
        // drain() bounds each wait (a timer); the loop waits as long as records are in flight.
        while (!(await processor.drain(60_000)) && fatal === undefined);
      }
    } finally {
      dynamo.destroy();
    }
    if (fatal !== undefined) throw fatal;
    if (stats.total.released > 0)
      throw new FatalError(
        "dry_run_incomplete",
        `${stats.total.released} record(s) were not decided`,
        ExitCode.unexpected,
      );
    const summary = tally.summary();
    const notes: string[] = [];
    if (config.kafka.dlqTopic === undefined && (summary.counts["dead_lettered"] ?? 0) > 0)
      notes.push("DLQ_TOPIC is not set: a real run stops at the first poison record (exit 4)");
    const partitions = [...ranges.values()].flat().length;
    const from = typeof start === "number" ? new Date(start).toISOString() : `${start} offsets`;
    const title =
      `dry run of group ${config.kafka.groupId} from ${from}: ${tally.total} record(s) ` +
      `in ${partitions} partition(s); nothing written, nothing committed`;
    if (v.json === true)
      io.stdout.write(
        json({ group: config.kafka.groupId, from, ranges: Object.fromEntries(ranges), ...summary, notes }),
      );
    else io.stdout.write(renderSummary(title, summary) + notes.map((n) => `note: ${n}\n`).join(""));
    return OpsExit.ok;
  });
}
