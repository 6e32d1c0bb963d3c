// The dead-letter topic, read back. Pure. A dead letter (adapters/kafka/dead-letter.ts) carries the
// original key, value and headers plus Kafka Connect's `__connect.errors.*` context (where it came
// from, why) and the sink's `cdc.*` headers (error class and code, attempts, failure time).

import type { KafkaRecord } from "../core/types.ts";

export type DeadLetterEntry = {
  /** Where the dead letter sits in the DLQ topic. */
  at: { partition: number; offset: string; timestamp: string };
  /** The record as the sink first read it: its own topic, partition, offset and headers. */
  original: KafkaRecord;
  code: string;
  errorClass: string;
  message: string;
  attempts: number;
  failedAt: string;
  group: string;
};

const OURS = /^(__connect\.errors\.|cdc\.(error\.class|error\.code|group|attempts|failed_at)$)/;

/** The entry a dead letter stands for; undefined when the record lacks the sink's context headers. */
export function readDeadLetter(r: KafkaRecord): DeadLetterEntry | undefined {
  const h = r.headers;
  const topic = h["__connect.errors.topic"];
  const partition = h["__connect.errors.partition"];
  const offset = h["__connect.errors.offset"];
  if (topic === undefined || partition === undefined || offset === undefined) return undefined;
  if (!/^\d+$/.test(partition) || !/^\d+$/.test(offset)) return undefined;
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(h)) if (!OURS.test(k)) headers[k] = v;
  const attempts = Number(h["cdc.attempts"] ?? "1");
  return {
    at: { partition: r.partition, offset: r.offset, timestamp: r.timestamp },
    original: {
      topic,
      partition: Number(partition),
      offset,
      key: r.key,
      value: r.value,
      headers,
      timestamp: r.timestamp,
    },
    code: h["cdc.error.code"] ?? h["__connect.errors.exception.class.name"] ?? "unknown",
    errorClass: h["cdc.error.class"] ?? "poison",
    message: h["__connect.errors.exception.message"] ?? "",
    attempts: Number.isInteger(attempts) && attempts > 0 ? attempts : 1,
    failedAt: h["cdc.failed_at"] ?? new Date(Number(r.timestamp)).toISOString(),
    group: h["cdc.group"] ?? "",
  };
}

export type DeadLetterFilter = {
  codes: readonly string[];
  topics: readonly string[];
  sinceMs?: number | undefined;
  untilMs?: number | undefined;
};

/** Matches by code, source topic and failure time (`since` inclusive, `until` exclusive). */
export function matches(e: DeadLetterEntry, f: DeadLetterFilter): boolean {
  if (f.codes.length > 0 && !f.codes.includes(e.code)) return false;
  if (f.topics.length > 0 && !f.topics.includes(e.original.topic)) return false;
  const at = Date.parse(e.failedAt);
  if (f.sinceMs !== undefined && !(at >= f.sinceMs)) return false;
  if (f.untilMs !== undefined && !(at < f.untilMs)) return false;
  return true;
}

export type DeadLetterGroup = {
  code: string;
  topic: string;
  partition: number;
  count: number;
  maxAttempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
  /** Source offsets of the first few, and where they sit in the DLQ. */
  first: { offset: string; dlq: string }[];
  message: string;
};

export function groupDeadLetters(entries: readonly DeadLetterEntry[], firstN = 5): DeadLetterGroup[] {
  const groups = new Map<string, DeadLetterGroup>();
  for (const e of entries) {
    const key = `${e.code}\u0000${e.original.topic}\u0000${e.original.partition}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = {
        code: e.code,
        topic: e.original.topic,
        partition: e.original.partition,
        count: 0,
        maxAttempts: 0,
        firstFailedAt: e.failedAt,
        lastFailedAt: e.failedAt,
        first: [],
        message: e.message,
      };
      groups.set(key, g);
    }
    g.count++;
    g.maxAttempts = Math.max(g.maxAttempts, e.attempts);
    if (e.failedAt < g.firstFailedAt) g.firstFailedAt = e.failedAt;
    if (e.failedAt > g.lastFailedAt) g.lastFailedAt = e.failedAt;
    if (g.first.length < firstN)
      g.first.push({ offset: e.original.offset, dlq: `${e.at.partition}@${e.at.offset}` });
  }
  return [...groups.values()].sort(
    (a, b) =>
      b.count - a.count ||
      a.code.localeCompare(b.code) ||
      a.topic.localeCompare(b.topic) ||
      a.partition - b.partition,
  );
}

export function renderGroups(
  topic: string,
  total: number,
  unreadable: number,
  groups: DeadLetterGroup[],
): string {
  const lines = [
    `${topic}: ${total} dead letter(s)${unreadable > 0 ? `, ${unreadable} without the sink's headers` : ""}`,
  ];
  for (const g of groups) {
    lines.push(
      `${String(g.count).padStart(6)}  ${g.code}  from ${g.topic}/${g.partition}  ` +
        `${g.firstFailedAt} .. ${g.lastFailedAt}  attempts ≤ ${g.maxAttempts}`,
      `        ${g.message}`,
      `        first: ${g.first.map((f) => `${f.offset} (dlq ${f.dlq})`).join(", ")}`,
    );
  }
  return `${lines.join("\n")}\n`;
}
