// The stack CLI itself, on a second stack in its own folder beside the one the tests share.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { startPart, type Endpoints } from "../../../tools/stack/index.ts";
import { uniqueName } from "../../support/names.ts";
import { stackEndpoints } from "../../support/stack.ts";
import { waitFor } from "../../support/wait.ts";

const CLI = resolve(import.meta.dirname, "..", "..", "..", "tools", "stack", "cli.ts");

type Run = { code: number; stdout: string; stderr: string; ms: number };

function stack(...args: string[]): Promise<Run> {
  const began = performance.now();
  return new Promise((done) => {
    // This stack's own dynoxide is under test, even when the suite runs on another store.
    const env = { ...process.env, CDC_SINK_DYNAMODB_ENDPOINT: "" };
    execFile(process.execPath, [CLI, ...args], { timeout: 300_000, env }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : 1;
      done({ code, stdout, stderr, ms: performance.now() - began });
    });
  });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z");
  } catch {
    return false;
  }
};

const portOf = (url: string): number => Number(url.split(":").at(-1));

/** A log file's size and modification time, or "absent". */
function logState(path: string): string {
  if (!existsSync(path)) return "absent";
  const st = statSync(path);
  return `${st.size} bytes, ${st.mtimeMs}`;
}

void test("stack CLI: up, status, a killed part, restart, down and a fast second up", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cdc-sink-cli-"));
  const read = (): Endpoints => JSON.parse(readFileSync(join(dir, "endpoints.json"), "utf8")) as Endpoints;
  try {
    const first = await stack("up", "--dir", dir, "--dynamodb-persistent");
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^export KAFKA_BROKERS=127\.0\.0\.1:\d+$/m);
    assert.match(first.stdout, /^export DYNAMODB_ENDPOINT=http:\/\/127\.0\.0\.1:\d+$/m);
    const endpoints = read();
    assert.equal(endpoints.awsRegion, "us-east-1");
    assert.equal(endpoints.postgresUrl, undefined, "no cdc parts without --with-cdc");
    assert.equal(endpoints.mysqlUrl, undefined, "no MariaDB without --with-mysql");
    assert.equal(readFileSync(join(dir, "endpoints.env"), "utf8").trim(), first.stdout.trim());

    // Side by side with the shared stack: its own free ports, none of the well-known ones.
    const shared = stackEndpoints();
    const ports = [portOf(endpoints.kafkaBrokers), portOf(endpoints.dynamodbEndpoint)];
    for (const port of ports) {
      assert.ok(![9092, 8000, portOf(shared.kafkaBrokers), portOf(shared.dynamodbEndpoint)].includes(port));
    }

    const status = await stack("status", "--dir", dir);
    assert.equal(status.code, 0, status.stdout + status.stderr);
    assert.match(status.stdout, /^kafka\s+up\b/m);
    assert.match(status.stdout, /^dynamodb\s+up\b/m);

    const again = await stack("up", "--dir", dir);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already up/);
    assert.deepEqual(read().pids, endpoints.pids, "a second up starts nothing");

    // A table in the persistent dynoxide survives a kill -9 and a restart of that part.
    const ddb = () =>
      new DynamoDBClient({
        endpoint: endpoints.dynamodbEndpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      });
    const TableName = uniqueName("cli_table");
    const before = ddb();
    await before.send(
      new CreateTableCommand({
        TableName,
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    before.destroy();

    const ddbPid = endpoints.pids.dynamodb ?? 0;
    process.kill(ddbPid, "SIGKILL");
    await waitFor(() => !alive(ddbPid), { timeoutMs: 10_000, message: "dynoxide gone after kill -9" });
    const broken = await stack("status", "--dir", dir);
    assert.notEqual(broken.code, 0);
    assert.match(broken.stdout, /^dynamodb\s+DOWN\b/m);
    assert.match(broken.stderr, /dynamodb is not up/);
    assert.match(broken.stdout, /^kafka\s+up\b/m);

    await startPart(dir, "dynamodb");
    assert.notEqual(read().pids.dynamodb, ddbPid);
    assert.equal(read().dynamodbEndpoint, endpoints.dynamodbEndpoint, "restarted on the same port");
    const after = ddb();
    const described = await after.send(new DescribeTableCommand({ TableName }));
    after.destroy();
    assert.equal(described.Table?.TableName, TableName);
    assert.equal((await stack("status", "--dir", dir)).code, 0);

    const pids = Object.values(read().pids);
    const down = await stack("down", "--dir", dir);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(pids.filter(alive), [], "down leaves nothing running");
    assert.equal(existsSync(join(dir, "endpoints.json")), false);
    assert.equal((await stack("status", "--dir", dir)).code, 1);

    // "Fast" means the second up builds and downloads nothing again: Maven and cargo leave their
    // logs untouched. (A bound in seconds failed in CI at load 25: 35 s for a start that takes 8 s
    // on a quiet machine; speed is the benchmark's business, not a timed test's.)
    const fetchLogs = () => ["maven.log", "cargo.log"].map((name) => logState(join(dir, "logs", name)));
    const beforeWarm = fetchLogs();
    const warm = await stack("up", "--dir", dir);
    assert.equal(warm.code, 0, warm.stderr);
    assert.deepEqual(fetchLogs(), beforeWarm, "a second up fetched or built again");
    console.log(`# a second up took ${Math.round(warm.ms)} ms`);
  } finally {
    await stack("down", "--dir", dir);
    rmSync(dir, { recursive: true, force: true });
  }
});
