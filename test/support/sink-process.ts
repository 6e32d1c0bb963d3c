// Runs the sink for integration tests: in-process (fast, lets a test reach the stats and hooks) or
// as a real OS process through the CLI (for crashes, signals and exit codes).

import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../src/config/config.ts";
import { startService, type ServiceHandle } from "../../src/app/service.ts";
import type { SinkHooks } from "../../src/adapters/dynamodb/put-sink.ts";
import { createLog } from "../../src/telemetry/log.ts";
import type { Endpoints } from "./stack.ts";

export const CLI = fileURLToPath(new URL("../../src/app/main.ts", import.meta.url));

export function sinkEnv(endpoints: Endpoints, env: Record<string, string>): Record<string, string> {
  return {
    KAFKA_BROKERS: endpoints.kafkaBrokers,
    DYNAMODB_ENDPOINT: endpoints.dynamodbEndpoint,
    AWS_REGION: endpoints.awsRegion,
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    HEALTH_PORT: "0",
    KAFKA_COMMIT_INTERVAL_MS: "200",
    KAFKA_SESSION_TIMEOUT_MS: "10000",
    KAFKA_HEARTBEAT_INTERVAL_MS: "1000",
    RETRY_BASE_MS: "20",
    RETRY_MAX_MS: "500",
    LOG_LEVEL: "warn",
    // The client matrix (`npm test -- --kafka-client confluent [--group-protocol consumer]`) and the
    // DynamoDB write client (`DYNAMODB_WRITE_CLIENT=direct npm test -- …`); a test's own env wins.
    ...clientMatrixEnv(process.env),
    ...env,
  };
}

/**
 * KAFKA_CLIENT and KAFKA_GROUP_PROTOCOL from the test runner's CDC_SINK_KAFKA_CLIENT / _GROUP_PROTOCOL,
 * and DYNAMODB_WRITE_CLIENT as the runner's environment has it: every sink a suite starts (in process,
 * as a CLI process, the fault harness's consumers) runs the clients the run was asked for.
 */
export function clientMatrixEnv(from: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  const client = from["CDC_SINK_KAFKA_CLIENT"];
  const protocol = from["CDC_SINK_KAFKA_GROUP_PROTOCOL"];
  const writeClient = from["DYNAMODB_WRITE_CLIENT"];
  if (client !== undefined && client !== "") out["KAFKA_CLIENT"] = client;
  if (protocol !== undefined && protocol !== "") out["KAFKA_GROUP_PROTOCOL"] = protocol;
  if (writeClient !== undefined && writeClient !== "") out["DYNAMODB_WRITE_CLIENT"] = writeClient;
  return out;
}

export type InProcessSink = ServiceHandle & { logs: () => string };

export async function startInProcess(
  endpoints: Endpoints,
  env: Record<string, string>,
  sinkHooks?: SinkHooks,
): Promise<InProcessSink> {
  const result = loadConfig(sinkEnv(endpoints, env), (p) => readFileSync(p, "utf8"));
  if (!result.ok) throw new Error(result.errors.join("\n"));
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const log = createLog(result.config.service.logLevel, stream);
  const service = await startService({
    config: result.config,
    log,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    ...(sinkHooks === undefined ? {} : { sinkHooks }),
  });
  return Object.assign(service, { logs: () => text });
}

/** Resolves once the process has joined its group and consumes (its "consuming" log line). */
export async function waitConsuming(p: SinkProcess, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!p.output().includes('"msg":"joined the consumer group"')) {
    if (Date.now() > deadline)
      throw new Error(`the sink did not join its group within ${timeoutMs} ms:\n${p.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export type SinkProcess = {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
};

export function spawnSink(
  endpoints: Endpoints,
  env: Record<string, string>,
  args: string[] = ["run"],
  nodeArgs: string[] = [],
): SinkProcess {
  // info: the start-up lines ("consuming", the health port) and the final summary are read by tests.
  const childEnv = {
    PATH: process.env["PATH"] ?? "",
    NODE_OPTIONS: "--disable-warning=TimeoutNegativeWarning",
    ...sinkEnv(endpoints, { LOG_LEVEL: "info", ...env }),
  };
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], {
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout.on("data", (c: Buffer) => (text += c.toString()));
  child.stderr.on("data", (c: Buffer) => (text += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => text };
}
