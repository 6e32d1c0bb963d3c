import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { StackError } from "../errors.ts";
import { AWS_REGION, logFile, partDir } from "../state.ts";
import type { Part } from "./part.ts";

/**
 * dynoxide, a DynamoDB-compatible server (tools/stack/dynoxide.ts builds it). In memory by
 * default; with --dynamodb-persistent it keeps a SQLite file, so a kill -9 and restart finds the
 * tables and items again (fault scenario 11). It keeps one database whatever the credentials and
 * region, as the tests and the demo expect.
 */
export const dynamodbPart: Part = {
  name: "dynamodb",
  stopSignal: "SIGTERM",
  readyTimeoutMs: 30_000,

  async prepare(state) {
    mkdirSync(join(partDir(state.dir, "dynamodb"), "data"), { recursive: true });
    return Promise.resolve();
  },

  command(state) {
    const home = partDir(state.dir, "dynamodb");
    if (state.dynoxide === undefined) throw new StackError("dynoxide not built (tools/stack/dynoxide.ts)");
    const storage = state.dynamodbPersistent ? ["--db-path", join(home, "data", "dynoxide.db")] : [];
    return {
      cmd: state.dynoxide,
      args: ["serve", "--host", "127.0.0.1", "--port", String(state.ports.dynamodb), ...storage],
      cwd: home,
      logFile: logFile(state.dir, "dynamodb"),
    };
  },

  async probe(state) {
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${state.ports.dynamodb}`,
      region: AWS_REGION,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
    });
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
    } finally {
      client.destroy();
    }
  },
};
