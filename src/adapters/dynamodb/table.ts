// Start-up check of the target table, and `cdc-sink init-table` for development and the demo
// (production tables belong to infrastructure as code).

import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { ExitCode, FatalError, TransientError, errorMessage } from "../../core/errors.ts";
import { retry } from "../../engine/retry.ts";

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

/** The table must exist, be ACTIVE, and have exactly a string partition key named keyAttribute. */
export async function checkTable(client: DynamoDBClient, table: string, keyAttribute: string): Promise<void> {
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
  const keys = t.KeySchema ?? [];
  const hash = keys.find((k) => k.KeyType === "HASH");
  const type = t.AttributeDefinitions?.find((a) => a.AttributeName === hash?.AttributeName)?.AttributeType;
  const problems: string[] = [];
  if (hash?.AttributeName !== keyAttribute)
    problems.push(
      `partition key is ${hash?.AttributeName ?? "missing"}, expected ${keyAttribute} ` +
        `(DYNAMODB_KEY_ATTRIBUTE)`,
    );
  if (type !== undefined && type !== "S") problems.push(`partition key type is ${type}, expected S (string)`);
  if (keys.some((k) => k.KeyType === "RANGE"))
    problems.push(
      `table has a sort key (${keys.find((k) => k.KeyType === "RANGE")?.AttributeName}); the sink needs ` +
        `a partition key only`,
    );
  if (problems.length > 0) {
    throw new FatalError(
      "key_schema_mismatch",
      `table ${table} does not match the configuration: ${problems.join("; ")}`,
      ExitCode.fatal,
    );
  }
}

/** Creates an on-demand table with the sink's key schema; an existing matching table is fine. */
export async function initTable(
  client: DynamoDBClient,
  table: string,
  keyAttribute: string,
  ttlAttribute?: string,
): Promise<"created" | "exists"> {
  let outcome: "created" | "exists" = "created";
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: [{ AttributeName: keyAttribute, KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: keyAttribute, AttributeType: "S" }],
      }),
    );
    await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: table });
  } catch (err) {
    if ((err as { name?: string }).name !== "ResourceInUseException") throw classifyAwsError(err, table);
    outcome = "exists";
  }
  await checkTable(client, table, keyAttribute);
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
