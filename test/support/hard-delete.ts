// What the hard-delete tests on the stack share (test/integration/app/hard-delete.test.ts through
// `cdc-sink run`, test/e2e/hard-delete.test.ts from PostgreSQL): the mapping, a numeric `id` key with
// `deletes: "hard"`, and strongly consistent reads of its table and the companion tombstone table.

import { GetItemCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { canonical, dynamoClient, scanItems } from "./dynamo.ts";

export type Item = Record<string, AttributeValue>;

/** ITEM_MAPPING's value (JSON.stringify it): the item's key is the row's numeric id. */
export const hardMapping = {
  keyColumns: ["id"],
  partitionKey: { attribute: "id", type: "N", template: "{id}" },
  metadata: "minimal",
  deletes: "hard",
};

/** The companion table init-table creates when the mapping names none. */
export function companionOf(table: string): string {
  return `${table}-cdc-tombstones`;
}

/** The item of row `id` (of the table or its companion), read as a reader would: undefined when gone. */
export async function getById(endpoint: string, table: string, id: number): Promise<Item | undefined> {
  const client = dynamoClient(endpoint);
  try {
    const key = { id: { N: String(id) } };
    return (await client.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
  } finally {
    client.destroy();
  }
}

/** Every item as canonical JSON, sorted: two reads compare equal when the table did not change. */
export async function scanCanonical(endpoint: string, table: string): Promise<string[]> {
  return (await scanItems(endpoint, table)).map((i) => JSON.stringify(canonical(i))).sort();
}
