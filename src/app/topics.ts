// Per-topic wiring of `cdc-sink run`: which sink (table, tombstone TTL), how records are decoded
// (format, version source, Avro through the schema registry) and the poison policy, each from the
// topic's route (config/routes.ts) with the single-table variables as the default route.

import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Config } from "../config/config.ts";
import { routeFor } from "../config/routes.ts";
import { Targets } from "../config/targets.ts";
import { decodeKafkaRecord } from "../core/record.ts";
import type { DecodeOptions } from "../core/types.ts";
import type { SinkHooks } from "../adapters/dynamodb/put-sink.ts";
import { createSink } from "../adapters/dynamodb/write-mode.ts";
import { watchKeySchema } from "../adapters/dynamodb/key-schema-watch.ts";
import { avroDecoding } from "../adapters/schema-registry/avro-decoding.ts";
import type { Decode } from "../engine/decode.ts";
import type { PoisonPolicy } from "../engine/poison.ts";
import type { Log, Sink } from "../engine/ports.ts";
import type { Prepare } from "../engine/prepare-gate.ts";
import { decodeOptionsFor } from "../ops/context.ts";

export type TopicWiring = {
  readonly sinkFor: (topic: string) => Sink;
  readonly decodeOptions: (topic: string) => DecodeOptions;
  readonly decode: Decode | undefined;
  readonly prepare: Prepare | undefined;
  readonly poisonPolicy: (topic: string) => PoisonPolicy;
  /** Releases the schema registry client, if any. */
  readonly close: () => void;
};

export function wireTopics(
  config: Config,
  dynamo: DynamoDBClient,
  log: Log,
  sinkHooks: SinkHooks | undefined,
): TopicWiring {
  // One sink per (table, TTL, mapping): routes that share all three share the sink and its batching.
  const targets = new Targets(config);
  const sinks = new Map<string, Sink>();
  const sinkFor = (topic: string): Sink => {
    const target = targets.forTopic(topic);
    let sink = sinks.get(target.sinkKey);
    if (sink === undefined) {
      sink = watchKeySchema(
        createSink(
          dynamo,
          {
            table: target.table,
            keyAttribute: config.dynamodb.keyAttribute,
            ttlAttribute: config.records.ttlAttribute,
            tombstoneTtlSeconds: target.tombstoneTtlSeconds,
            compression: config.records.compression,
            mapping: target.mapping,
            tombstoneTable: target.tombstoneTable,
          },
          {
            mode: config.dynamodb.writeMode,
            batch: { maxItems: config.dynamodb.writeBatchItems, windowMs: 0 },
          },
          sinkHooks,
          (t, mode, reason) => log.info({ table: t, writeMode: mode }, `write shape: ${reason}`),
        ),
        dynamo,
        target.table,
        // The key schema the start-up check compared: the mapping's, or the default layout's.
        target.mapping?.keySchema() ?? config.dynamodb.keyAttribute,
      );
      sinks.set(target.sinkKey, sink);
    }
    return sink;
  };
  // The operator commands decode a topic exactly as `run` does: one definition.
  const decodeOptions = (topic: string): DecodeOptions => decodeOptionsFor(config, topic);
  const avro = avroDecoding(config);
  return {
    sinkFor,
    decodeOptions,
    decode: avro?.decode(decodeKafkaRecord),
    prepare: avro?.prepare,
    poisonPolicy: (topic) => routeFor(config.routes, topic)?.poisonPolicy ?? config.records.poisonPolicy,
    close: () => avro?.close(),
  };
}
