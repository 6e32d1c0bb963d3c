// The companion table of a mapping with `deletes: "hard"` (core/hard-delete.ts): it holds the
// tombstones of hard-deleted rows under the same key as the rows, so it must have the table's key
// schema and TTL (if any) on TTL_ATTRIBUTE. Checked at start-up and created by init-table like the
// table itself; a mismatch names both tables (exit 3).

import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { FatalError } from "../../core/errors.ts";
import { checkTable, initTable, type TableKeys } from "./table.ts";

function why(table: string, companion: string): string {
  return (
    `${companion} is the tombstone table of table ${table} (deletes: "hard"): it needs the same key ` +
    "schema; `cdc-sink init-table` creates it"
  );
}

export async function checkTombstoneTable(
  client: DynamoDBClient,
  table: string,
  companion: string,
  keys: TableKeys,
  ttlAttribute: string,
): Promise<void> {
  try {
    await checkTable(client, companion, keys, ttlAttribute);
  } catch (err) {
    if (!(err instanceof FatalError)) throw err;
    throw new FatalError(err.code, `${err.message} (${why(table, companion)})`, err.exitCode, { cause: err });
  }
}

export function initTombstoneTable(
  client: DynamoDBClient,
  companion: string,
  keys: TableKeys,
  ttlAttribute: string | undefined,
): Promise<"created" | "exists"> {
  return initTable(client, companion, keys, ttlAttribute);
}
