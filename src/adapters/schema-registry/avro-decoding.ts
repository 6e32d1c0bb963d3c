// Wiring of RECORD_ENCODING=avro (and routes with `encoding: avro`) into the engine: which topics
// are Avro, the registry client and cache, the processor's prepare step (fetch the schemas a batch
// names before it is decoded) and the decoder for those topics.

import type { Config } from "../../config/config.ts";
import { routeFor } from "../../config/routes.ts";
import { decodeAvroRecord, schemaIdsOf } from "../../core/avro/record.ts";
import type { KafkaRecord } from "../../core/types.ts";
import type { Decode } from "../../engine/decode.ts";
import { SchemaCache } from "./cache.ts";
import { SchemaRegistryClient } from "./client.ts";

export type AvroDecoding = {
  /** The decoder: Avro topics through the registry's schemas, the others through `other`. */
  readonly decode: (other: Decode) => Decode;
  readonly prepare: (records: readonly KafkaRecord[]) => Promise<void> | undefined;
  readonly close: () => void;
};

/** Undefined when no topic is Avro (config.ts makes SCHEMA_REGISTRY_URL required when one is). */
export function avroDecoding(config: Config): AvroDecoding | undefined {
  const registry = config.schemaRegistry;
  if (registry.url === undefined) return undefined;
  const client = new SchemaRegistryClient({
    url: registry.url,
    username: registry.username,
    password: registry.password,
    ca: registry.ca,
    cert: registry.cert,
    key: registry.key,
    timeoutMs: registry.timeoutMs,
  });
  const cache = new SchemaCache(client);
  const isAvro = (topic: string): boolean =>
    (routeFor(config.routes, topic)?.encoding ?? registry.encoding) === "avro";
  return {
    decode: (other) => (record, options) =>
      isAvro(record.topic) ? decodeAvroRecord(record, cache.reader, options) : other(record, options),
    // One batch is one partition, so one topic.
    prepare: (records) =>
      records.length === 0 || !isAvro(records[0]!.topic)
        ? undefined
        : cache.load(records.flatMap(schemaIdsOf)),
    close: () => client.close(),
  };
}
