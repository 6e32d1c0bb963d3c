// A Kafka record → change event, whatever the shape of its value (docs/formats/): the one decoder
// the engine and the operator commands call. Reading bytes (JSON today; another encoding such as
// Avro produces the same parsed key and value) is separate from the format: `decodeParsed` takes
// the parsed messages, so an encoding step sits in front of it.

import { PoisonError } from "./errors.ts";
import { decodeMessage, parseMessage, type Message } from "./decode.ts";
import { decodeFlattened } from "./flattened.ts";
import { isPlainObject } from "./json.ts";
import { sideRecord, sideTopic } from "./side-topics.ts";
import type { DecodeOptions, Decoded, KafkaRecord, RecordFormat } from "./types.ts";

const ENVELOPE_OPS = new Set(["c", "u", "d", "r", "t", "m"]);

/**
 * `auto`: the envelope has an `op` of Debezium's and a `before` or `after` image; a flattened row
 * has neither (its op, when added, is `__op`). A row with columns `op` and `after` would be read
 * as an envelope: such tables need `format: flattened` (docs/formats/README.md).
 */
export function looksLikeEnvelope(value: Message): boolean {
  const p = value.payload;
  return (
    isPlainObject(p) &&
    // Stryker disable next-line ConditionalExpression: for the type only; the Set holds only strings
    typeof p["op"] === "string" &&
    ENVELOPE_OPS.has(p["op"]) &&
    ("after" in p || "before" in p)
  );
}

/** Whether a Kafka tombstone of this format may be a delete (see flattened.ts). */
function tombstoneFormat(format: RecordFormat, record: KafkaRecord): "envelope" | "flattened" {
  if (format !== "auto") return format;
  // A Debezium tombstone after a delete carries no headers of its own; a flattened delete made a
  // tombstone carries what add.headers named.
  return Object.keys(record.headers).some((h) => h.startsWith("__") && h !== "__op")
    ? // Stryker disable next-line StringLiteral: the caller only compares with "envelope"
      "flattened"
    : "envelope";
}

/** A parsed value (null for a Kafka tombstone) and lazily its key → change event or skip. */
export function decodeParsed(
  key: () => Message | null,
  value: Message | null,
  record: KafkaRecord,
  options: DecodeOptions,
): Decoded {
  const format = options.format ?? "envelope";
  if (value === null || value.payload === null) {
    if (tombstoneFormat(format, record) === "envelope") return { kind: "skip", reason: "kafka_tombstone" };
    return decodeFlattened(key, null, record, options);
  }
  const side = sideRecord(value, key);
  if (side !== undefined) return { kind: "skip", reason: side };
  const flattened = format === "flattened" || (format === "auto" && !looksLikeEnvelope(value));
  return flattened
    ? decodeFlattened(key, value, record, options)
    : decodeMessage(key, value, record, options);
}

/** A JSON Kafka record → change event (or a reasoned skip), by the format its route names. */
export function decodeKafkaRecord(record: KafkaRecord, options: DecodeOptions): Decoded {
  const side = sideTopic(record.topic);
  if (side !== undefined) return { kind: "skip", reason: side };
  if (record.value !== null && record.value.length === 0)
    throw new PoisonError(
      "undecodable",
      "the message value is empty (a Kafka tombstone is a null value, not an empty one)",
    );
  const value = record.value === null ? null : parseMessage(record.value, "value");
  // The key is read once, and only when needed: a tombstone or a skipped op needs none.
  let key: { message: Message | null } | undefined;
  const readKey = (): Message | null =>
    (key ??= {
      message: record.key === null || record.key.length === 0 ? null : parseMessage(record.key, "key"),
    }).message;
  return decodeParsed(readKey, value, record, options);
}
