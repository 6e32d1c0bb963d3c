// `cdc-sink dlq redrive`: re-applies dead letters through the sink's own version-guarded write, so
// a dead letter older than what the table holds now comes back `stale` and changes nothing. It reads
// the DLQ in its own consumer group and commits each record's next offset only after that record's
// outcome (range-reader.ts, commit mode): killed half-way, it resumes after the last finished
// record, and the one it was writing comes back `duplicate`. Records that fail again are published
// to the DLQ again (past the end this run reads) with their attempt count plus one.

import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Producer } from "kafkajs";
import type { Config } from "../config/config.ts";
import { decodeKafkaRecord } from "../core/record.ts";
import { PoisonError, type ClassifiedError } from "../core/errors.ts";
import { itemKey } from "../core/identity.ts";
import { Outcome, type KafkaRecord } from "../core/types.ts";
import { committedOffsets, topicEnds, withAdmin } from "../adapters/kafka/admin-queries.ts";
import { KafkaDeadLetter } from "../adapters/kafka/dead-letter.ts";
import { readRanges, type ReadRange } from "../adapters/kafka/range-reader.ts";
import { createSink } from "../adapters/dynamodb/write-mode.ts";
import type { Sink } from "../engine/ports.ts";
import { retry } from "../engine/retry.ts";
import {
  OpsExit,
  decodeOptionsFor,
  ephemeralGroup,
  itemOptionsFor,
  json,
  opsDynamo,
  opsKafka,
  type Io,
} from "./context.ts";
import { dlqTopic, filterOf, type DlqValues } from "./dlq-command.ts";
import { matches, readDeadLetter, type DeadLetterEntry } from "./dlq.ts";
import { DryRunSink } from "./dry-run-sink.ts";
import { renderSummary, Tally } from "./summary.ts";

/** Transient failures of one write before the redrive stops (resumable: nothing committed past it). */
const MAX_ATTEMPTS = 10;

class Progress {
  readonly #io: Io;
  readonly #every: number;
  #last = Date.now();
  constructor(io: Io) {
    this.#io = io;
    this.#every = io.stderr.isTTY === true ? 1000 : 5000;
  }
  tick(read: number, total: number, tally: Tally, final = false): void {
    if (!final && Date.now() - this.#last < this.#every) return;
    this.#last = Date.now();
    const counts = Object.entries(tally.counts)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ");
    this.#io.stderr.write(
      `redrive: ${read}/${total} read${counts === "" ? "" : `; ${counts}`}${final ? ", done" : ""}\n`,
    );
  }
}

export async function redrive(config: Config, env: NodeJS.ProcessEnv, v: DlqValues, io: Io): Promise<number> {
  const topic = dlqTopic(config);
  const filter = filterOf(v);
  const dryRun = v["dry-run"] === true;
  const group = v.group ?? `${config.kafka.groupId}.redrive`;
  const kafka = opsKafka(config);
  const ranges: ReadRange[] = await withAdmin(kafka, config.kafka.brokers, async (admin) => {
    const committed = await committedOffsets(admin, group, topic);
    return (await topicEnds(admin, topic)).map((e) => {
      const c = committed.get(e.partition);
      const from = c !== undefined && BigInt(c) >= BigInt(e.low) ? c : e.low;
      return { partition: e.partition, from, to: e.high };
    });
  });
  const total = ranges.reduce((n, r) => n + Number(BigInt(r.to) - BigInt(r.from)), 0);
  const dynamo: DynamoDBClient = opsDynamo(config, env);
  let producer: Producer | undefined;
  const tally = new Tally(Number(v.first ?? "5"));
  const progress = new Progress(io);
  let read = 0;
  try {
    if (!dryRun) {
      producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
      await producer.connect();
    }
    const deadLetter = producer === undefined ? undefined : new KafkaDeadLetter(producer, topic, group);
    const sinks = new Map<string, Sink>();
    const sinkFor = (source: string): Sink => {
      const options = itemOptionsFor(config, source);
      const key = `${options.table}/${options.tombstoneTtlSeconds}`;
      let sink = sinks.get(key);
      if (sink === undefined) {
        sink = dryRun
          ? new DryRunSink(dynamo, options)
          : createSink(dynamo, options, {
              mode: config.dynamodb.writeMode,
              batch: { maxItems: config.dynamodb.writeBatchItems, windowMs: 0 },
            });
        sinks.set(key, sink);
      }
      return sink;
    };
    // The one retry policy (engine/retry.ts), bounded: past it the redrive stops, resumable.
    const retrying = (label: string) => ({
      policy: { baseMs: config.processing.retryBaseMs, maxMs: config.processing.retryMaxMs },
      maxAttempts: MAX_ATTEMPTS,
      onRetry: (err: ClassifiedError, attempt: number) =>
        void io.stderr.write(`redrive: ${label}: ${err.code}, retry ${attempt}\n`),
    });
    const once = async (entry: DeadLetterEntry): Promise<void> => {
      const r: KafkaRecord = entry.original;
      let label = `${r.topic}/${r.partition}@${r.offset}`;
      try {
        const decoded = decodeKafkaRecord(r, decodeOptionsFor(config, r.topic));
        if (decoded.kind === "skip") return tally.add(Outcome.skipped, label);
        if (decoded.kind === "truncate") {
          const sink = sinkFor(r.topic);
          label = `truncate of ${decoded.event.source}`;
          // A dry run's sink reads single items: it does not scan the table for a truncate.
          if (sink.truncate === undefined)
            return tally.add(Outcome.skipped, `${label} (dry run: not scanned)`);
          const event = decoded.event;
          const done = await retry(() => sink.truncate!(event, r), retrying(label));
          return tally.add(done.tombstoned > 0 ? Outcome.applied : Outcome.duplicate, label);
        }
        label = itemKey(decoded.event.source, decoded.event.id);
        const outcome = await retry(() => sinkFor(r.topic).write(decoded.event, r), retrying(label));
        tally.add(outcome, label);
      } catch (err) {
        if (!(err instanceof PoisonError)) throw err;
        if (deadLetter !== undefined)
          await retry(() => deadLetter.publish(r, err, entry.attempts + 1), retrying(label));
        tally.add(Outcome.deadLettered, label, err.code);
      }
    };
    const groupId = dryRun ? ephemeralGroup(config, "redrive-dry-run") : group;
    await readRanges(
      kafka,
      { topic, groupId, brokers: config.kafka.brokers, ranges, commit: !dryRun },
      async (records) => {
        for (const record of records) {
          read++;
          const entry = readDeadLetter(record);
          if (entry === undefined) tally.add("unreadable", `${topic}/${record.partition}@${record.offset}`);
          else if (!matches(entry, filter))
            tally.add("filtered_out", `${topic}/${record.partition}@${record.offset}`);
          else await once(entry);
          progress.tick(read, total, tally);
        }
      },
    );
    progress.tick(read, total, tally, true);
  } catch (err) {
    progress.tick(read, total, tally, true);
    // Nothing past the last finished record was committed: running the same command again resumes.
    io.stderr.write(`redrive: stopped after ${read} record(s); run it again to resume\n`);
    throw err;
  } finally {
    await producer?.disconnect().catch(() => undefined);
    dynamo.destroy();
  }
  const summary = tally.summary();
  const what = dryRun ? "redrive dry run (nothing written, nothing committed)" : "redrive";
  const title = `${what} of ${topic} as group ${group}: ${read} read`;
  io.stdout.write(
    v.json === true ? json({ topic, group, dryRun, read, ...summary }) : renderSummary(title, summary),
  );
  return (summary.counts[Outcome.deadLettered] ?? 0) > 0 ? OpsExit.finding : OpsExit.ok;
}
