// `cdc-sink init-table`: creates the table a topic's rows go to, with the key schema of its mapping
// (docs/mapping.md) or the default layout's, on-demand billing, and TTL on TTL_ATTRIBUTE when that
// topic's tombstones carry one. Development and the demo; production tables belong to IaC.

import { parseArgs } from "node:util";
import type { Config } from "../config/config.ts";
import { Targets } from "../config/targets.ts";
import { ExitCode, FatalError, errorMessage } from "../core/errors.ts";
import { createDynamoClient } from "../adapters/dynamodb/client.ts";
import { initTable } from "../adapters/dynamodb/table.ts";
import { initTombstoneTable } from "../adapters/dynamodb/tombstone-table.ts";

export const INIT_HELP = `cdc-sink init-table — create the DynamoDB table the sink writes (development, demo)

Usage: cdc-sink init-table [--topic <topic>] [--json]

  --topic <topic>  the table, key schema and TTL of the route this topic matches (ROUTES_FILE);
                   default: DYNAMODB_TABLE with ITEM_MAPPING's keys (or the default layout's
                   string partition key DYNAMODB_KEY_ATTRIBUTE, no sort key)
  --json           print the outcome as one JSON object

On-demand billing; TTL on TTL_ATTRIBUTE when the topic's TOMBSTONE_TTL_SECONDS (or the route's
tombstoneTtlSeconds) is > 0. An existing table with a matching key schema is accepted; one that does
not match exits 3 naming each difference. A mapping with deletes "hard" also gets its tombstone
table (tombstoneTable, default <table>-cdc-tombstones) with the same key schema and TTL. Uses the same variables as run; Kafka variables are not
needed.`;

type Io = { stdout: { write(text: string): unknown }; stderr: { write(text: string): unknown } };

export async function initTableCommand(
  config: Config,
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined,
  argv: string[],
  io: Io,
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { topic: { type: "string" }, json: { type: "boolean" } },
      allowPositionals: false,
      strict: true,
    }));
  } catch (err) {
    io.stderr.write(`cdc-sink: init-table: ${errorMessage(err)}\n`);
    return ExitCode.badConfig;
  }
  const targets = new Targets(config);
  const target = values.topic === undefined ? targets.all()[0]! : targets.forTopic(values.topic);
  const keys = target.mapping?.keySchema() ?? config.dynamodb.keyAttribute;
  const ttlAttribute = target.tombstoneTtlSeconds > 0 ? config.records.ttlAttribute : undefined;
  const client = createDynamoClient({
    region: config.dynamodb.region,
    endpoint: config.dynamodb.endpoint,
    requestTimeoutMs: 10_000,
    maxSockets: 4,
    credentials,
  });
  try {
    const outcome = await initTable(client, target.table, keys, ttlAttribute);
    const companion = target.tombstoneTable;
    const companionOutcome =
      companion === undefined || typeof keys === "string"
        ? undefined
        : await initTombstoneTable(client, companion, keys, ttlAttribute);
    const said = (o: string) => (o === "created" ? "created" : "already exists with a matching key schema");
    if (values.json === true) {
      const keySchema = typeof keys === "string" ? { partition: { attribute: keys, type: "S" } } : keys;
      const tombstoneTable =
        companionOutcome === undefined ? null : { table: companion, outcome: companionOutcome };
      io.stdout.write(
        `${JSON.stringify({ table: target.table, outcome, keySchema, ttlAttribute: ttlAttribute ?? null, tombstoneTable })}\n`,
      );
    } else {
      io.stdout.write(`table ${target.table}: ${said(outcome)}\n`);
      if (companionOutcome !== undefined)
        io.stdout.write(`tombstone table ${companion} (deletes: hard): ${said(companionOutcome)}\n`);
    }
    return ExitCode.ok;
  } catch (err) {
    io.stderr.write(`cdc-sink: init-table failed: ${errorMessage(err)}\n`);
    return err instanceof FatalError ? err.exitCode : ExitCode.fatal;
  } finally {
    client.destroy();
  }
}
