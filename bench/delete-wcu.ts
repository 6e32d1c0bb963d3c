// The WCU per record of each delete mode × metadata mode × write shape (docs/mapping.md), measured
// on a store that bills like DynamoDB (dynoxide reports ConsumedCapacity per request, the
// transactional 2× and a ConditionCheck included; a refused condition's units are the sink's
// estimate, as DynamoDB's error carries none): the product's own sinks write one row's life — an
// insert, an update, a delete, then an older update replayed after the delete — and every
// request's units reach the sink's meter. The orders row of docs/mapping.md's example.
//   DYNAMODB_ENDPOINT=http://127.0.0.1:<port> node bench/delete-wcu.ts [--json]

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createSink } from "../src/adapters/dynamodb/write-mode.ts";
import { initTable } from "../src/adapters/dynamodb/table.ts";
import { encodeId } from "../src/core/identity.ts";
import { TableMapping, type MappingSpec } from "../src/core/mapping.ts";
import type { ChangeEvent, KeyColumn, Row } from "../src/core/types.ts";
import { ORDER } from "./mapping-sizes.ts";
import { parseCommandLine } from "../tools/cli/args.ts";

const ctx = { keyAttribute: "pk", ttlAttribute: "_cdc_expires_at", manyTopics: false };
const STEPS = ["insert", "update", "delete", "older update after the delete"] as const;

function event(op: ChangeEvent["op"], lsn: number, row: Row | null): ChangeEvent {
  const keyColumns: KeyColumn[] = [{ name: "order_id", value: ORDER["order_id"]! }];
  return {
    op,
    source: "pg.shop.public.orders",
    id: encodeId(keyColumns),
    keyColumns,
    version: `pg:0000:${String(lsn).padStart(20, "0")}:${String(lsn).padStart(20, "0")}`,
    versionScheme: "pg:",
    row,
    sourceTsMs: 1_764_655_200_123,
  };
}

const LIFE = [
  event("c", 100, ORDER),
  event("u", 200, { ...ORDER, note: "changed" }),
  event("d", 300, null),
  event("u", 200, { ...ORDER, note: "changed" }),
];

export type Measured = { deletes: string; metadata: string; write: string; units: number[] };

export async function measure(endpoint: string): Promise<Measured[]> {
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const out: Measured[] = [];
  const run = Date.now().toString(36);
  try {
    for (const deletes of ["tombstone", "hard"] as const)
      for (const metadata of ["full", "minimal"] as const)
        for (const write of ["put", "transact"] as const) {
          const spec: MappingSpec = {
            keyColumns: ["order_id"],
            partitionKey: { attribute: "order_id", type: "N", template: "{order_id}" },
            rename: { note: "comment" },
            exclude: ["secret"],
            jsonColumns: ["attrs"],
            metadata,
            deletes,
          };
          const mapping = new TableMapping(spec, ctx);
          const table = `wcu-${run}-${deletes}-${metadata}-${write}`;
          const tombstoneTable = `${table}-cdc-tombstones`;
          await initTable(client, table, mapping.keySchema());
          if (deletes === "hard") await initTable(client, tombstoneTable, mapping.keySchema());
          const options = { table, ...ctx, tombstoneTtlSeconds: 0, compression: "none" as const, mapping };
          const sink = createSink(client, deletes === "hard" ? { ...options, tombstoneTable } : options, {
            mode: write,
            batch: { maxItems: 50, windowMs: 0 },
          });
          const units: number[] = [];
          for (const [i, e] of LIFE.entries()) {
            let n = 0;
            await sink.write(e, { topic: "t", partition: 0, offset: String(i) }, (u) => (n += u));
            units.push(n);
          }
          out.push({ deletes, metadata, write, units });
        }
  } finally {
    client.destroy();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const USAGE = `usage: DYNAMODB_ENDPOINT=URL node bench/delete-wcu.ts [--json]
  Measures the WCU per record of each delete mode × metadata mode × write shape on the store at URL,
  which must report ConsumedCapacity (dynoxide does), and prints the table of docs/mapping.md.
  --json      the rows as JSON on stdout
  -h, --help  this text`;
  const { values, fail } = parseCommandLine("delete-wcu", USAGE, {});
  const endpoint =
    process.env["DYNAMODB_ENDPOINT"] ||
    fail("set DYNAMODB_ENDPOINT to a store that reports ConsumedCapacity");
  const rows = await measure(endpoint);
  if (values.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
  else {
    process.stdout.write(`| deletes | metadata | write | ${STEPS.join(" | ")} |\n`);
    for (const r of rows)
      process.stdout.write(`| ${r.deletes} | ${r.metadata} | ${r.write} | ${r.units.join(" | ")} |\n`);
  }
}
