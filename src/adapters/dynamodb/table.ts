// Start-up check of the target table, and `cdc-sink init-table` for development and the demo
// (production tables belong to infrastructure as code).

import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { ExitCode, FatalError, TransientError, errorMessage } from "../../core/errors.ts";
import { retry } from "../../engine/retry.ts";
import type { KeyType } from "../../core/mapping.ts";

import { classifyAwsError } from "./errors.ts";

/** Start-up asks a transiently failing DescribeTable this many times (about half a minute in all). */
const STARTUP_ATTEMPTS = 8;

/** DescribeTable, its failure translated; a poison answer cannot happen here, so it is fatal. */
async function describe(client: DynamoDBClient, table: string) {
  try {
    return await client.send(new DescribeTableCommand({ TableName: table }));
  } catch (err) {
    const classified = classifyAwsError(err, table);
    if (classified instanceof TransientError || classified instanceof FatalError) throw classified;
    const message = `cannot describe table ${table}: ${errorMessage(err)}`;
    throw new FatalError("dynamodb_unreachable", message, ExitCode.fatal, { cause: err });
  }
}

/** The key schema a table must have: a mapping's (docs/mapping.md), or the default layout's. */
export type TableKeys = {
  readonly partition: { readonly attribute: string; readonly type: KeyType };
  readonly sort?: { readonly attribute: string; readonly type: KeyType } | undefined;
};

const TYPE_NAMES: Record<string, string> = { S: "S (string)", N: "N (number)", B: "B (binary)" };

/** The default layout's keys: a string partition key named keyAttribute, no sort key. */
export function defaultKeys(keyAttribute: string): TableKeys {
  return { partition: { attribute: keyAttribute, type: "S" } };
}

/** One message per difference between the table's key schema and the expected one. */
function keyProblems(
  keys: readonly { AttributeName?: string | undefined; KeyType?: string | undefined }[],
  types: readonly { AttributeName?: string | undefined; AttributeType?: string | undefined }[],
  expected: TableKeys,
  mapped: boolean,
): string[] {
  const problems: string[] = [];
  const typeOf = (name: string | undefined) => types.find((a) => a.AttributeName === name)?.AttributeType;
  const hash = keys.find((k) => k.KeyType === "HASH");
  const range = keys.find((k) => k.KeyType === "RANGE");
  const source = mapped ? "the mapping's" : "expected";
  // The default layout's messages name DYNAMODB_KEY_ATTRIBUTE; a mapping's name its own keys.
  if (hash?.AttributeName !== expected.partition.attribute)
    problems.push(
      `partition key is ${hash?.AttributeName ?? "missing"}, ${source} ${expected.partition.attribute}` +
        (mapped ? "" : " (DYNAMODB_KEY_ATTRIBUTE)"),
    );
  const hashType = typeOf(hash?.AttributeName);
  if (hashType !== undefined && hashType !== expected.partition.type)
    problems.push(
      mapped
        ? `partition key ${hash?.AttributeName} type is ${hashType}, the mapping's ${TYPE_NAMES[expected.partition.type]}`
        : `partition key type is ${hashType}, expected ${TYPE_NAMES[expected.partition.type]}`,
    );
  if (range !== undefined && expected.sort === undefined)
    problems.push(
      mapped
        ? `table has a sort key (${range.AttributeName}); the mapping has none`
        : `table has a sort key (${range.AttributeName}); the sink needs a partition key only`,
    );
  if (expected.sort !== undefined) {
    if (range === undefined)
      problems.push(`table has no sort key; the mapping's is ${expected.sort.attribute}`);
    else {
      if (range.AttributeName !== expected.sort.attribute)
        problems.push(`sort key is ${range.AttributeName}, the mapping's ${expected.sort.attribute}`);
      const rangeType = typeOf(range.AttributeName);
      if (rangeType !== undefined && rangeType !== expected.sort.type)
        problems.push(
          `sort key ${range.AttributeName} type is ${rangeType}, the mapping's ${TYPE_NAMES[expected.sort.type]}`,
        );
    }
  }
  return problems;
}

/**
 * The table must exist, be ACTIVE, and have the expected key schema: a string partition key named
 * `keys` (the default layout), or a mapping's keys. With `ttlAttribute`, the table's TTL, when
 * enabled, must be on that attribute: DynamoDB would otherwise delete live items by another
 * attribute (a row column), forget their versions and let a replay resurrect them.
 */
export async function checkTable(
  client: DynamoDBClient,
  table: string,
  keys: string | TableKeys,
  ttlAttribute?: string,
): Promise<void> {
  // A transient answer (timeout, throttling, 5xx) is asked again for a while before start-up gives
  // up: a busy store at deploy time is not a broken deployment.
  let described;
  try {
    described = await retry(() => describe(client, table), {
      policy: { baseMs: 500, maxMs: 4000, floorMs: 250 },
      maxAttempts: STARTUP_ATTEMPTS,
    });
  } catch (err) {
    if (!(err instanceof TransientError)) throw err;
    const message = `cannot describe table ${table}: ${errorMessage(err.cause ?? err)}`;
    throw new FatalError("dynamodb_unreachable", message, ExitCode.fatal, { cause: err });
  }
  const t = described.Table;
  if (t?.TableStatus !== "ACTIVE" && t?.TableStatus !== "UPDATING") {
    throw new FatalError(
      "table_not_active",
      `table ${table} is ${t?.TableStatus ?? "unknown"}, not ACTIVE`,
      ExitCode.fatal,
    );
  }
  const expected = typeof keys === "string" ? defaultKeys(keys) : keys;
  const problems = keyProblems(
    t.KeySchema ?? [],
    t.AttributeDefinitions ?? [],
    expected,
    typeof keys !== "string",
  );
  if (problems.length > 0) {
    throw new FatalError(
      "key_schema_mismatch",
      `table ${table} does not match the configuration: ${problems.join("; ")}`,
      ExitCode.fatal,
    );
  }
  if (ttlAttribute !== undefined) await checkTtl(client, table, ttlAttribute);
}

/** TTL enabled on another attribute than TTL_ATTRIBUTE is a mismatch (exit 3, `ttl_mismatch`). */
async function checkTtl(client: DynamoDBClient, table: string, ttlAttribute: string): Promise<void> {
  let ttl;
  try {
    ttl = await retry(
      async () => {
        try {
          return await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
        } catch (err) {
          throw classifyAwsError(err, table);
        }
      },
      { policy: { baseMs: 500, maxMs: 4000, floorMs: 250 }, maxAttempts: STARTUP_ATTEMPTS },
    );
  } catch (err) {
    if (err instanceof FatalError) throw err;
    const message = `cannot describe the TTL of table ${table}: ${errorMessage((err as Error).cause ?? err)}`;
    throw new FatalError("dynamodb_unreachable", message, ExitCode.fatal, { cause: err });
  }
  const d = ttl.TimeToLiveDescription;
  const on = d?.TimeToLiveStatus === "ENABLED" || d?.TimeToLiveStatus === "ENABLING";
  if (on && d.AttributeName !== ttlAttribute)
    throw new FatalError(
      "ttl_mismatch",
      `table ${table} has TTL ${d.TimeToLiveStatus?.toLowerCase()} on ${d.AttributeName}, not on ` +
        `${ttlAttribute} (TTL_ATTRIBUTE): DynamoDB would delete items by that attribute and forget ` +
        "their versions; set TTL_ATTRIBUTE to it, or change the table's TTL",
      ExitCode.fatal,
    );
}

/**
 * Creates an on-demand table with the sink's key schema, or a mapping's; an existing matching
 * table is fine.
 */
export async function initTable(
  client: DynamoDBClient,
  table: string,
  keys: string | TableKeys,
  ttlAttribute?: string,
): Promise<"created" | "exists"> {
  const k = typeof keys === "string" ? defaultKeys(keys) : keys;
  const parts = [
    { AttributeName: k.partition.attribute, KeyType: "HASH" as const, type: k.partition.type },
    ...(k.sort === undefined
      ? []
      : [{ AttributeName: k.sort.attribute, KeyType: "RANGE" as const, type: k.sort.type }]),
  ];
  let outcome: "created" | "exists" = "created";
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: parts.map(({ AttributeName, KeyType }) => ({ AttributeName, KeyType })),
        AttributeDefinitions: parts.map((p) => ({ AttributeName: p.AttributeName, AttributeType: p.type })),
      }),
    );
    await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: table });
  } catch (err) {
    if ((err as { name?: string }).name !== "ResourceInUseException") throw classifyAwsError(err, table);
    outcome = "exists";
  }
  await checkTable(client, table, keys);
  if (ttlAttribute !== undefined && outcome === "created") {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
      }),
    );
  }
  return outcome;
}
