// An Avro Kafka record (Confluent wire format) → change event. The registry lookup is the caller's
// (the schemas are fetched before decoding, adapters/schema-registry): this stays pure, and the
// envelope or flattened row is decoded by the same format dispatch as JSON (record.ts's
// decodeParsed: side topics, `format`), from the same parsed shape.

import type { Message } from "../decode.ts";
import { PoisonError } from "../errors.ts";
import { decodeParsed } from "../record.ts";
import { sideTopic } from "../side-topics.ts";
import type { DecodeOptions, Decoded, KafkaRecord } from "../types.ts";
import type { AvroReader } from "./reader.ts";
import { HEADER_BYTES, MAGIC_BYTE, unframe } from "./wire.ts";

/** The reader of a schema id; the caller has fetched every id `schemaIdsOf` names. */
export type Readers = (schemaId: number) => AvroReader;

function framedId(bytes: Buffer | null): number | undefined {
  if (bytes === null || bytes.length < HEADER_BYTES || bytes[0] !== MAGIC_BYTE) return undefined;
  return bytes.readUInt32BE(1);
}

/**
 * The schema ids decoding `record` will read: its value's, and its key's when the value is not a
 * tombstone (a tombstone is skipped without its key). Unframed bytes name none; decoding refuses them.
 */
export function schemaIdsOf(record: KafkaRecord): number[] {
  const ids: number[] = [];
  const value = framedId(record.value);
  if (value !== undefined) ids.push(value);
  const key = record.value === null ? undefined : framedId(record.key);
  if (key !== undefined && key !== value) ids.push(key);
  return ids;
}

function read(bytes: Buffer, what: "key" | "value", readers: Readers): Message {
  const { schemaId, body } = unframe(bytes, what);
  return readers(schemaId).read(body, what);
}

/** An Avro Kafka record → change event (or a reasoned skip). */
export function decodeAvroRecord(record: KafkaRecord, readers: Readers, options: DecodeOptions): Decoded {
  const side = sideTopic(record.topic);
  if (side !== undefined) return { kind: "skip", reason: side };
  if (record.value !== null && record.value.length === 0)
    throw new PoisonError(
      "undecodable",
      "the message value is empty (a Kafka tombstone is a null value, not an empty one)",
    );
  const value = record.value === null ? null : read(record.value, "value", readers);
  let key: { message: Message | null } | undefined;
  const readKey = (): Message | null =>
    (key ??= {
      message: record.key === null || record.key.length === 0 ? null : read(record.key, "key", readers),
    }).message;
  return decodeParsed(readKey, value, record, options);
}
