// `cdc-sink dlq list|show|redrive`: the dead-letter topic grouped by error code and source, one
// dead letter decoded, and the redrive (redrive.ts).

import { topicEnds, withAdmin } from "../adapters/kafka/admin-queries.ts";
import { readRanges } from "../adapters/kafka/range-reader.ts";
import { offsetArg, parse, partitionArg, required, timeArg } from "./args.ts";
import {
  OpsExit,
  OpsInputError,
  decodeOptionsFor,
  ephemeralGroup,
  guarded,
  itemOptionsFor,
  json,
  opsConfig,
  opsKafka,
  type Io,
} from "./context.ts";
import { groupDeadLetters, matches, readDeadLetter, renderGroups, type DeadLetterEntry } from "./dlq.ts";
import { readOne } from "./explain-command.ts";
import { explain, prepare, renderExplanation } from "./explain.ts";
import type { Config } from "../config/config.ts";

const OPTIONS = {
  code: { type: "string", multiple: true },
  topic: { type: "string", multiple: true },
  since: { type: "string" },
  until: { type: "string" },
  partition: { type: "string" },
  offset: { type: "string" },
  first: { type: "string" },
  group: { type: "string" },
  "dry-run": { type: "boolean" },
  json: { type: "boolean" },
} as const;

export type DlqValues = ReturnType<typeof parse<typeof OPTIONS>>["values"];

export function dlqTopic(config: Config): string {
  const topic = config.kafka.dlqTopic;
  if (topic === undefined)
    throw new OpsInputError("DLQ_TOPIC is not set: there is no dead-letter topic to read");
  return topic;
}

export function filterOf(v: DlqValues) {
  return {
    codes: v.code ?? [],
    topics: v.topic ?? [],
    sinceMs: timeArg(v.since, "since"),
    untilMs: timeArg(v.until, "until"),
  };
}

async function list(config: Config, v: DlqValues, io: Io): Promise<number> {
  const topic = dlqTopic(config);
  const filter = filterOf(v);
  const kafka = opsKafka(config);
  const ends = await withAdmin(kafka, config.kafka.brokers, (a) => topicEnds(a, topic));
  const entries: DeadLetterEntry[] = [];
  let unreadable = 0;
  const ranges = ends.map((e) => ({ partition: e.partition, from: e.low, to: e.high }));
  const groupId = ephemeralGroup(config, "dlq-list");
  await readRanges(kafka, { topic, groupId, brokers: config.kafka.brokers, ranges }, (records) => {
    for (const r of records) {
      const e = readDeadLetter(r);
      if (e === undefined) unreadable++;
      else if (matches(e, filter)) entries.push(e);
    }
    return Promise.resolve();
  });
  const groups = groupDeadLetters(entries, Number(offsetArg(v.first, "first") ?? "5"));
  io.stdout.write(
    v.json === true
      ? json({ topic, total: entries.length, unreadable, groups })
      : renderGroups(topic, entries.length, unreadable, groups),
  );
  return OpsExit.ok;
}

async function show(config: Config, v: DlqValues, io: Io): Promise<number> {
  const topic = dlqTopic(config);
  const partition = required(partitionArg(v.partition), "--partition", "dlq show");
  const offset = required(offsetArg(v.offset, "offset"), "--offset", "dlq show");
  const record = await readOne(config, topic, partition, offset);
  const entry = readDeadLetter(record);
  if (entry === undefined)
    throw new OpsInputError(
      `${topic}/${partition}@${offset} has no __connect.errors.* headers: not a dead letter`,
    );
  const source = entry.original.topic;
  // Decoded as `run` decodes it today: a record dead-lettered before a fix may decode now.
  const now = prepare(
    entry.original,
    decodeOptionsFor(config, source),
    itemOptionsFor(config, source),
    Date.now(),
  );
  const decoded = explain(entry.original, now, undefined, itemOptionsFor(config, source).table);
  if (now.kind === "poison") decoded.reason = `fails today too: ${now.message}`;
  if (now.kind === "change") {
    decoded.outcome = "decodes";
    decoded.reason =
      "decodes and builds an item today (dlq redrive --dry-run tells the outcome against the table)";
  }
  const context = {
    dlq: entry.at,
    code: entry.code,
    errorClass: entry.errorClass,
    message: entry.message,
    attempts: entry.attempts,
    failedAt: entry.failedAt,
    group: entry.group,
    headers: entry.original.headers,
  };
  if (v.json === true) io.stdout.write(json({ ...context, decoded }));
  else
    io.stdout.write(
      `dead letter ${topic}/${partition}@${offset}: ${entry.code} (${entry.errorClass}), ` +
        `attempt ${entry.attempts}, ` +
        `failed ${entry.failedAt} in group ${entry.group}\n  ${entry.message}\n` +
        renderExplanation(decoded),
    );
  return OpsExit.ok;
}

export function dlqCommand(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  return guarded("dlq", io, async () => {
    const { values: v, positionals } = parse(argv, OPTIONS, true);
    const sub = positionals[0];
    if (positionals.length !== 1 || !["list", "show", "redrive"].includes(sub ?? ""))
      throw new OpsInputError("usage: cdc-sink dlq list|show|redrive [options] (see cdc-sink dlq --help)");
    const config = opsConfig(env, { table: sub !== "list", topics: false });
    if (sub === "list") return list(config, v, io);
    if (sub === "show") return show(config, v, io);
    const { redrive } = await import("./redrive.ts");
    return redrive(config, env, v, io);
  });
}
