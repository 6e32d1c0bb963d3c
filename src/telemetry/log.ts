// Structured JSON logs (pino). No record values and no secrets are ever logged: call sites pass
// topic, partition, offset and a key hash only, and the redaction list below is a second net for
// configuration objects and kafkajs log entries. A line written while a span is active carries its
// trace_id and span_id (W3C hex), so logs and traces join in the backend.

import { createHash } from "node:crypto";
import { isSpanContextValid, trace } from "@opentelemetry/api";
import { pino, type Logger } from "pino";

// The Log port is the engine's (src/engine/ports.ts); a pino logger is one.
import type { Log } from "../engine/ports.ts";
export type { Log };

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
  "headers",
  "*.headers",
];

/** Receives every serialized line (after redaction), e.g. the OTLP log bridge. */
export type LineSink = (line: string) => void;

// The root logger's line tee, so that telemetry started after the logger can receive its lines.
const tees = new WeakMap<object, { sink: LineSink | undefined }>();

function traceFields(): Record<string, string> {
  try {
    const span = trace.getActiveSpan();
    if (span === undefined) return {};
    const sc = span.spanContext();
    if (!isSpanContextValid(sc)) return {};
    return {
      trace_id: sc.traceId,
      span_id: sc.spanId,
      trace_flags: `0${sc.traceFlags.toString(16)}`.slice(-2),
    };
  } catch {
    return {};
  }
}

export function createLog(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { service: "cdc-dynamodb-sink" },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    mixin: traceFields,
  };
  // pino's own default (asynchronous stdout, flushed on exit), made explicit to sit in a multistream.
  const out =
    destination === undefined
      ? pino.destination({ dest: process.stdout.fd || 1, sync: false })
      : (destination as unknown as pino.DestinationStream);
  const tee = { sink: undefined as LineSink | undefined };
  const teeStream = {
    write(line: string): void {
      const sink = tee.sink;
      if (sink === undefined) return;
      try {
        sink(line);
      } catch {
        // A failing bridge must not cost the line on stdout, nor the caller its work.
      }
    },
  };
  const logger = pino(
    options,
    pino.multistream([
      { level: "trace", stream: out },
      { level: "trace", stream: teeStream },
    ]),
  );
  tees.set(logger, tee);
  return logger;
}

/** Sends every line of a logger made by createLog to `sink` too; returns the detach function. */
export function teeLines(log: Log, sink: LineSink): () => void {
  const tee = tees.get(log);
  if (tee === undefined) return () => undefined;
  tee.sink = sink;
  return () => {
    if (tee.sink === sink) tee.sink = undefined;
  };
}

/** A short stable hash of an item key, for logs and spans instead of the key itself. */
export function keyHash(key: string | Uint8Array): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}
