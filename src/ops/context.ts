// What every operator command shares: its configuration (the sink's own variables, so a command
// looks at exactly what `cdc-sink run` would), its clients, and how failures become exit codes.

import { readFileSync } from "node:fs";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { loadConfig, type Config } from "../config/config.ts";
import { routeFor } from "../config/routes.ts";
import { ClassifiedError, ExitCode, FatalError, errorMessage } from "../core/errors.ts";
import type { ItemOptions } from "../core/item.ts";
import { Targets } from "../config/targets.ts";
import type { DecodeOptions } from "../core/types.ts";
import { createDynamoClient } from "../adapters/dynamodb/client.ts";
import { createKafka, type Kafka } from "../adapters/kafka/client.ts";
import { createLog } from "../telemetry/log.ts";

export type Io = {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; readonly isTTY?: boolean | undefined };
  stdin?: AsyncIterable<Buffer | string>;
};

/** Bad arguments or input: exit 2 with the message, nothing done. */
export class OpsInputError extends Error {}

/** The exit codes every operator command shares (each command's help adds its own 1). */
export const OpsExit = { ok: 0, finding: 1, usage: ExitCode.badConfig, fatal: ExitCode.fatal } as const;

export function opsConfig(env: NodeJS.ProcessEnv, needs: { table: boolean; topics: boolean }): Config {
  const filled = { ...env };
  // Kafka-only commands (lag, offsets) and table-only input need no placeholders reported missing.
  if (!needs.table) filled["DYNAMODB_TABLE"] ||= "unused";
  if (!needs.table) filled["AWS_REGION"] ||= "unused";
  if (!needs.topics && !filled["KAFKA_TOPIC_PATTERN"]) filled["KAFKA_TOPICS"] ||= "unused";
  const result = loadConfig(filled, (p) => readFileSync(p, "utf8"));
  if (!result.ok)
    throw new OpsInputError(
      `invalid configuration:\n${result.errors.map((e) => `  ${e}`).join("\n")}\n` +
        "(the operator commands read the sink's variables: see docs/configuration.md)",
    );
  return result.config;
}

/**
 * kafkajs's own log lines are not shown: a command reports its failure once, with the cause named
 * (kafkaConnectFailure), and its JSON lines would bury that message on a terminal.
 */
export function opsKafka(config: Config): Kafka {
  return createKafka(config.kafka, createLog("silent", process.stderr), true);
}

export function opsDynamo(config: Config, env: NodeJS.ProcessEnv): DynamoDBClient {
  // DynamoDB Local accepts any key: spare local users from inventing one (as `run` does).
  const local =
    config.dynamodb.endpoint !== undefined &&
    /^https?:\/\/(localhost|127\.|\[::1\])/.test(config.dynamodb.endpoint) &&
    env["AWS_ACCESS_KEY_ID"] === undefined;
  return createDynamoClient({
    region: config.dynamodb.region,
    endpoint: config.dynamodb.endpoint,
    requestTimeoutMs: config.dynamodb.requestTimeoutMs,
    maxSockets: Math.min(64, config.processing.maxInFlight),
    credentials: local ? { accessKeyId: "local", secretAccessKey: "local" } : undefined,
    writeClient: config.dynamodb.writeClient,
  });
}

/** How `run` decodes a topic's records (routes first, then the service-wide settings). */
export function decodeOptionsFor(config: Config, topic: string): DecodeOptions {
  const route = routeFor(config.routes, topic);
  return {
    format: route?.format ?? config.records.format,
    versionSource: route?.versionSource ?? config.records.versionSource,
    versionColumn: route?.versionColumn ?? config.records.versionColumn,
    epoch: config.records.epoch,
    sourceName: route?.sourceName ?? config.records.sourceName,
    truncate: route?.truncate ?? config.records.truncate,
  };
}

/** How `run` builds a topic's items (its route's table, tombstone TTL and mapping). */
export function itemOptionsFor(config: Config, topic: string): ItemOptions {
  const route = routeFor(config.routes, topic);
  return {
    table: route?.table ?? config.dynamodb.table,
    keyAttribute: config.dynamodb.keyAttribute,
    ttlAttribute: config.records.ttlAttribute,
    tombstoneTtlSeconds: route?.tombstoneTtlSeconds ?? config.records.tombstoneTtlSeconds,
    compression: config.records.compression,
    mapping: new Targets(config).forTopic(topic).mapping,
  };
}

/** Runs a command body; a failure becomes its message on stderr and the documented exit code. */
export async function guarded(name: string, io: Io, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    io.stderr.write(`cdc-sink ${name}: ${errorMessage(err)}\n`);
    if (err instanceof OpsInputError) return OpsExit.usage;
    if (err instanceof FatalError) return err.exitCode;
    if (err instanceof ClassifiedError) return OpsExit.fatal;
    return ExitCode.unexpected;
  }
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`;
}

/** A unique, clearly named group for readers that never commit (Kafka expires it when empty). */
export function ephemeralGroup(config: Config, purpose: string): string {
  return `${config.kafka.groupId}.${purpose}.${process.pid}.${Date.now()}`;
}
