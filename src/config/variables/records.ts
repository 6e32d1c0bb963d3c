// Records: versions, source names, tombstones, routes. Part of the one table of variables
// (src/config/env-spec.ts).

import {
  COMPRESSIONS,
  POISON_POLICIES,
  RECORD_FORMATS,
  TRUNCATE_POLICIES,
  VERSION_SOURCES,
  int,
  oneOf,
  ttlAttribute,
  text,
} from "../parsers.ts";
import type { EnvVar } from "../env-spec.ts";

export const RECORDS_VARIABLES = [
  {
    group: "records",
    name: "RECORD_FORMAT",
    default: "envelope",
    parse: oneOf(RECORD_FORMATS),
    description:
      "`envelope` (Debezium's change event), `flattened` (ExtractNewRecordState's row, with `__` " +
      "fields and headers) or `auto` (told apart per record); see docs/formats/. Route key `format`.",
  },
  {
    group: "records",
    name: "POISON_POLICY",
    default: "dlq",
    parse: oneOf(POISON_POLICIES),
    description:
      "A record that can never be written: `dlq` (to `DLQ_TOPIC`; without one the service stops), " +
      "`skip` (counted as skipped and logged with its position, like Kafka Connect's " +
      "`errors.tolerance=all`) or `stop` (exit 4, nothing past it committed). Route key `poisonPolicy`.",
  },
  {
    group: "records",
    name: "TRUNCATE_POLICY",
    default: "skip",
    parse: oneOf(TRUNCATE_POLICIES),
    description:
      "A truncate (`op: t`): `skip` it, or `apply` it: once every earlier record of its partition is " +
      "written, every item of its source older than it gets a tombstone (a full-table Scan; see " +
      "docs/formats/truncate.md). Not with `VERSION_SOURCE=column`. Route key `truncate`.",
  },
  {
    group: "records",
    name: "VERSION_SOURCE",
    default: "auto",
    parse: oneOf(VERSION_SOURCES),
    description:
      "`auto` (the log position from the envelope's `source`: PostgreSQL, MySQL/MariaDB, SQL Server, " +
      "Oracle LogMiner, Db2, MongoDB; docs/versions.md), `column` (see " +
      "`VERSION_COLUMN`) or `kafka-offset` (explicit opt-in; breaks on repartition and redrive).",
  },
  {
    group: "records",
    name: "VERSION_COLUMN",
    parse: text,
    description: "Row column holding a growing version (integer, or timestamp) when `VERSION_SOURCE=column`.",
  },
  {
    group: "records",
    name: "VERSION_EPOCH",
    default: "0",
    parse: int(0, 9999),
    description:
      "Operator-set epoch prefixed to every version (0\u20139999). Raise it after restoring a database " +
      "whose log positions restart (see docs/operations.md).",
  },
  {
    group: "records",
    name: "SOURCE_NAME",
    parse: text,
    description:
      "Overrides the source name of every record (default: `connector.db.schema.table` from the " +
      "envelope, else the topic).",
  },
  {
    group: "records",
    name: "TOMBSTONE_TTL_SECONDS",
    default: "0",
    parse: int(0),
    description:
      "When > 0, delete tombstones get a TTL attribute this many seconds ahead. Must outlive Kafka " +
      "retention plus the longest lag.",
  },
  {
    group: "records",
    name: "TTL_ATTRIBUTE",
    default: "_cdc_expires_at",
    parse: ttlAttribute,
    description: "Name of the TTL attribute written on tombstones (enable TTL on it in the table).",
  },
  {
    group: "records",
    name: "ITEM_COMPRESSION",
    default: "none",
    parse: oneOf(COMPRESSIONS),
    description:
      "`gzip`: rows whose item would exceed 400 KB are stored gzip-compressed in one binary attribute; " +
      "`none`: such rows are dead-lettered.",
  },
  {
    group: "records",
    name: "ROUTES_FILE",
    parse: text,
    description:
      "Optional JSON file of per-topic routes (table, source name, version source and column, TTL).",
  },
] as const satisfies readonly EnvVar[];
