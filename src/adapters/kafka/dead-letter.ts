// Poison records go to the dead-letter topic with their original key, value and headers, plus the
// context to fix and redrive them. Header names follow Kafka Connect's `__connect.errors.*` where
// they fit, so existing DLQ tooling reads them.

import { ExitCode, FatalError, type ClassifiedError } from "../../core/errors.ts";
import type { KafkaRecord } from "../../core/types.ts";
import { KafkaErrorCode, dlqPublishFailure } from "./errors.ts";
import type { DeadLetter, KafkaRecordProducer } from "../../engine/ports.ts";

const REMOVED = "[row bytes removed]";
/** Runs this long that also occur in the record are row bytes (shorter ones are too common). */
const MIN_RUN = 12;

/**
 * The message without text copied from the record's key or value. Messages are written to name
 * fields (in backticks) and reasons, but some quote their input: JSON.parse's quotes the start of
 * the text (`Unexpected token 'o', "not json c"... is not valid JSON`), and a store's validation
 * message may quote a key. So a quoted part found in the record, and any run of MIN_RUN characters
 * found in it outside backticks, is removed.
 */
export function withoutRowText(message: string, parts: readonly (Buffer | null)[]): string {
  const texts = parts.filter((p): p is Buffer => p !== null && p.length > 0).map((p) => p.toString("utf8"));
  if (texts.length === 0) return message;
  const inRecord = (t: string): boolean => texts.some((x) => x.includes(t));
  return message
    .split(/(`[^`]*`)/)
    .map((part) => (part.startsWith("`") ? part : withoutRuns(withoutQuoted(part, inRecord), inRecord)))
    .join("");
}

function withoutQuoted(text: string, inRecord: (t: string) => boolean): string {
  return text.replace(/"([^"]*)"|'([^']*)'/g, (whole, dq?: string, sq?: string) => {
    const inner = (dq ?? sq ?? "").replace(/\.\.\.$/, "");
    const q = whole[0]!;
    return inner.length >= 3 && inRecord(inner) ? `${q}${REMOVED}${q}` : whole;
  });
}

function withoutRuns(text: string, inRecord: (t: string) => boolean): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    if (i + MIN_RUN <= text.length && inRecord(text.slice(i, i + MIN_RUN))) {
      let end = i + MIN_RUN;
      while (end < text.length && inRecord(text.slice(i, end + 1))) end++;
      out += REMOVED;
      i = end;
    } else {
      out += text[i];
      i++;
    }
  }
  return out;
}

export function deadLetterHeaders(
  record: KafkaRecord,
  error: ClassifiedError,
  attempts: number,
  groupId: string,
  now: Date,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(record.headers)) if (v !== undefined) headers[k] = v;
  Object.assign(headers, {
    "__connect.errors.topic": record.topic,
    "__connect.errors.partition": String(record.partition),
    "__connect.errors.offset": record.offset,
    "__connect.errors.stage": "CDC_SINK",
    "__connect.errors.class.name": "cdc-dynamodb-sink",
    "__connect.errors.exception.class.name": error.code,
    "__connect.errors.exception.message": withoutRowText(error.message, [record.key, record.value]),
    "cdc.error.class": error.errorClass,
    "cdc.error.code": error.code,
    "cdc.group": groupId,
    "cdc.attempts": String(attempts),
    "cdc.failed_at": now.toISOString(),
  });
  return headers;
}

type Letter = { key: Buffer | null; value: Buffer | null; headers: Record<string, string> };

// Empty, not null: a null value is a Kafka tombstone, and on a compacted DLQ topic it would delete
// the earlier dead letters of the same key; a compacted topic also refuses a null key.
const EMPTY = Buffer.alloc(0);
const OMITTED = "message_too_large";

/**
 * Publishes with acks=all. A dead letter over the DLQ topic's `max.message.bytes` (the broker
 * answers MESSAGE_TOO_LARGE, Kafka error 10, non-retriable: the same bytes fail forever) is sent
 * again without its value, then also without its key and original headers, each omission named in
 * a header. The original stays in the source topic at the offset the headers give, until that
 * topic's retention removes it.
 */
export class KafkaDeadLetter implements DeadLetter {
  readonly #producer: KafkaRecordProducer;
  readonly #topic: string;
  readonly #groupId: string;

  constructor(producer: KafkaRecordProducer, topic: string, groupId: string) {
    this.#producer = producer;
    this.#topic = topic;
    this.#groupId = groupId;
  }

  async publish(record: KafkaRecord, error: ClassifiedError, attempts: number): Promise<void> {
    const now = new Date();
    const headers = deadLetterHeaders(record, error, attempts, this.#groupId, now);
    const withoutValue: Letter = {
      key: record.key,
      value: EMPTY,
      headers: { ...headers, "cdc.value.omitted": OMITTED, "cdc.value.bytes": bytes(record.value) },
    };
    const context = deadLetterHeaders({ ...record, headers: {} }, error, attempts, this.#groupId, now);
    const contextOnly: Letter = {
      key: EMPTY,
      value: EMPTY,
      headers: {
        ...context,
        "cdc.value.omitted": OMITTED,
        "cdc.value.bytes": bytes(record.value),
        "cdc.key.omitted": OMITTED,
        "cdc.key.bytes": bytes(record.key),
        "cdc.headers.omitted": OMITTED,
      },
    };
    for (const letter of [{ key: record.key, value: record.value, headers }, withoutValue, contextOnly]) {
      let sent: "sent" | "too_large";
      try {
        sent = await this.#producer.send(this.#topic, letter);
      } catch (err) {
        throw dlqPublishFailure(err, this.#topic);
      }
      if (sent === "sent") return;
    }
    throw new FatalError(
      KafkaErrorCode.dlqTooSmall,
      `DLQ topic ${this.#topic} refused even a dead letter without key and value (MESSAGE_TOO_LARGE): ` +
        "its max.message.bytes is smaller than the context headers; raise it",
      ExitCode.fatal,
    );
  }
}

function bytes(b: Buffer | null): string {
  return String(b?.length ?? 0);
}
