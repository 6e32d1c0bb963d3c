// CDC_SINK_DYNAMODB_ENDPOINT: a stack that uses a DynamoDB it does not run (DynamoDB Local, say)
// instead of its own dynoxide. Here the "external" store is the shared stack's dynoxide.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { killPart, type Endpoints } from "../../../tools/stack/index.ts";
import { stackEndpoints } from "../../support/stack.ts";

const CLI = resolve(import.meta.dirname, "..", "..", "..", "tools", "stack", "cli.ts");

type Run = { code: number; stdout: string; stderr: string };

function stack(endpoint: string | undefined, ...args: string[]): Promise<Run> {
  const env = { ...process.env };
  delete env["CDC_SINK_DYNAMODB_ENDPOINT"];
  if (endpoint !== undefined) env["CDC_SINK_DYNAMODB_ENDPOINT"] = endpoint;
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 300_000, env }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : 1;
      done({ code, stdout, stderr });
    });
  });
}

void test("CDC_SINK_DYNAMODB_ENDPOINT: the stack runs no store of its own and names that one", async () => {
  const external = stackEndpoints().dynamodbEndpoint;
  const dir = mkdtempSync(join(tmpdir(), "cdc-sink-external-"));
  try {
    const up = await stack(`${external}/`, "up", "--dir", dir);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stderr, /starting kafka in /, "no dynamodb part started");
    assert.ok(up.stdout.split("\n").includes(`export DYNAMODB_ENDPOINT=${external}`), up.stdout);
    const endpoints = JSON.parse(readFileSync(join(dir, "endpoints.json"), "utf8")) as Endpoints;
    assert.equal(endpoints.dynamodbEndpoint, external);
    assert.equal(endpoints.pids.dynamodb, undefined);

    const status = await stack(undefined, "status", "--dir", dir);
    assert.equal(status.code, 0, status.stdout + status.stderr);
    assert.match(status.stdout, /^kafka\s+up\b/m);
    assert.doesNotMatch(status.stdout, /^dynamodb/m);

    // A fault that kills the store cannot run here, and says why instead of killing something.
    await assert.rejects(killPart(dir, "dynamodb"), /CDC_SINK_DYNAMODB_ENDPOINT\), which it cannot stop/);

    // Fixed when the stack is made: a later `up` without the variable keeps using that store.
    const again = await stack(undefined, "up", "--dir", dir);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already up/);
    assert.ok(again.stdout.split("\n").includes(`export DYNAMODB_ENDPOINT=${external}`), again.stdout);
  } finally {
    const down = await stack(undefined, "down", "--dir", dir);
    assert.equal(down.code, 0, down.stderr);
    rmSync(dir, { recursive: true, force: true });
  }
});

void test("a CDC_SINK_DYNAMODB_ENDPOINT that is not an http(s) URL stops `up` before anything starts", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cdc-sink-external-"));
  try {
    for (const bad of ["127.0.0.1:8000", "http://127.0.0.1:8000/path", "ftp://127.0.0.1"]) {
      const up = await stack(bad, "up", "--dir", dir);
      assert.equal(up.code, 1, bad);
      assert.match(up.stderr, /CDC_SINK_DYNAMODB_ENDPOINT must be an http\(s\) URL with no path/, bad);
      assert.equal(existsSync(join(dir, "stack.json")), false, `${bad}: nothing recorded`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
