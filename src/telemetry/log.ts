// Structured JSON logs (pino). No record values and no secrets are ever logged: call sites pass
// topic, partition, offset and a key hash only, and the redaction list below is a second net for
// configuration objects and kafkajs log entries.

import { createHash } from "node:crypto";
import { pino, type Logger } from "pino";

export type Log = Pick<Logger, "info" | "warn" | "error" | "debug" | "fatal" | "child">;

export const REDACT_PATHS = [
  "password",
  "*.password",
  "sasl.password",
  "*.sasl.password",
  "KAFKA_SASL_PASSWORD",
  "*.KAFKA_SASL_PASSWORD",
  "secretAccessKey",
  "*.secretAccessKey",
  "sessionToken",
  "*.sessionToken",
];

export function createLog(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { service: "cdc-dynamodb-sink" },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination === undefined ? pino(options) : pino(options, destination as unknown as pino.DestinationStream);
}

/** A short stable hash of an item key, for logs and spans instead of the key itself. */
export function keyHash(key: string): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}
