// Kafka: brokers, group, topics, commits, the dead-letter topic. Part of the one table of variables
// (src/config/env-spec.ts).

import {
  GROUP_PROTOCOLS,
  KAFKA_CLIENTS,
  bool,
  brokers,
  int,
  list,
  oneOf,
  pattern,
  text,
} from "../parsers.ts";
import type { EnvVar } from "../env-spec.ts";

export const KAFKA_VARIABLES = [
  {
    group: "kafka",
    name: "KAFKA_BROKERS",
    required: true,
    parse: brokers,
    description: "Comma-separated bootstrap brokers, `host:port`.",
  },
  {
    group: "kafka",
    name: "KAFKA_CLIENT_ID",
    default: "cdc-dynamodb-sink",
    parse: text,
    description: "Kafka client id.",
  },
  {
    group: "kafka",
    name: "KAFKA_CLIENT",
    default: "kafkajs",
    parse: oneOf(KAFKA_CLIENTS),
    description:
      "The Kafka client library: `kafkajs`, or `confluent` (@confluentinc/kafka-javascript over librdkafka, " +
      "built by `npm run build:confluent`; see docs/kafka-clients.md).",
  },
  {
    group: "kafka",
    name: "KAFKA_GROUP_PROTOCOL",
    default: "classic",
    parse: oneOf(GROUP_PROTOCOLS),
    description:
      "The consumer group protocol: `classic`, or `consumer` (KIP-848, Kafka 4.0+ brokers; " +
      "`KAFKA_CLIENT=confluent` only; the session timeout and heartbeat are then the broker's).",
  },
  {
    group: "kafka",
    name: "KAFKA_CLIENT_MODULE",
    parse: text,
    description:
      "With `KAFKA_CLIENT=confluent`: the folder of the built @confluentinc/kafka-javascript package; " +
      "default: node_modules, then the folder `npm run build:confluent` printed.",
  },
  {
    group: "kafka",
    name: "KAFKA_GROUP_ID",
    required: true,
    parse: text,
    description: "Consumer group id; one group per sink deployment.",
  },
  {
    group: "kafka",
    name: "KAFKA_TOPICS",
    parse: list,
    description:
      "Comma-separated topics to consume. At least one of `KAFKA_TOPICS` and `KAFKA_TOPIC_PATTERN` is " +
      "required.",
  },
  {
    group: "kafka",
    name: "KAFKA_TOPIC_PATTERN",
    parse: pattern,
    description:
      "Regular expression of topics to consume; topics created later that match are picked up within " +
      "`KAFKA_METADATA_MAX_AGE_MS` (one rebalance).",
  },
  {
    group: "kafka",
    name: "KAFKA_FROM_BEGINNING",
    default: "true",
    parse: bool,
    description:
      "Where a group with no committed offset starts: `true` = earliest (keeps the snapshot), `false` = " +
      "latest.",
  },
  {
    group: "kafka",
    name: "KAFKA_SESSION_TIMEOUT_MS",
    default: "30000",
    parse: int(6000),
    description: "Group session timeout.",
  },
  {
    group: "kafka",
    name: "KAFKA_HEARTBEAT_INTERVAL_MS",
    default: "3000",
    parse: int(100),
    description: "Group heartbeat interval.",
  },
  {
    group: "kafka",
    name: "KAFKA_METADATA_MAX_AGE_MS",
    default: "30000",
    parse: int(1000),
    description: "How often topic metadata (and so a topic pattern) is refreshed.",
  },
  {
    group: "kafka",
    name: "KAFKA_COMMIT_INTERVAL_MS",
    default: "200",
    parse: int(10, 60000),
    description:
      "How often durable progress is committed (each commit covers only records with a final outcome; " +
      "the p99 lag from a durable write to its commit is about this plus one commit round trip).",
  },
  {
    group: "kafka",
    name: "KAFKA_FETCH_MAX_BYTES",
    default: "2097152",
    parse: int(1024),
    description:
      "Most bytes one fetch may return (each partition at most 1 MiB of it; a single larger record " +
      "still comes through). Fetched records are in hand before `MAX_BUFFERED_RECORDS` can pause their " +
      "partitions, so this bounds how far a fetch overshoots that limit. Under `KAFKA_CLIENT=confluent` it also " +
      "bounds librdkafka's prefetch queue (`queued.max.messages.kbytes`, 64 MiB by default).",
  },
  {
    group: "kafka",
    name: "DLQ_TOPIC",
    parse: text,
    description:
      "Dead-letter topic for poison records. Unset: a poison record stops the service (exit 4) and " +
      "nothing past it is committed.",
  },
  {
    group: "kafka",
    name: "ALLOW_COMPACTED_TOPICS",
    default: "false",
    parse: bool,
    description:
      "`true` to consume topics whose `cleanup.policy` includes `compact`. Refused by default (exit 3): " +
      "compaction removes a delete event once its tombstone follows, so a sink lagging behind the log " +
      "cleaner would keep deleted rows live.",
  },
] as const satisfies readonly EnvVar[];
