// Sends pino's lines to the OpenTelemetry logs API (exported over OTLP with the traces). The line is
// taken after pino's redaction, so the OTLP copy holds exactly what stdout holds. pino writes
// synchronously within the logging call, so the active context here is the caller's: the SDK puts
// its trace and span ids on the record by itself.

import { SeverityNumber, type Logger } from "@opentelemetry/api-logs";
import type { LineSink } from "./log.ts";

const SEVERITY: Record<string, SeverityNumber> = {
  trace: SeverityNumber.TRACE,
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
  fatal: SeverityNumber.FATAL,
};

// Fields of the line that the log record carries elsewhere (or that the SDK adds from the context).
const OMITTED = new Set(["level", "time", "msg", "trace_id", "span_id", "trace_flags"]);

/** Lines the bridge must not forward: the SDK's own diagnostics would loop back into the exporter. */
export const DIAG_FIELD = "otel_diag";

export function logBridge(logger: Logger): LineSink {
  return (line: string) => {
    const fields = JSON.parse(line) as Record<string, unknown>;
    if (fields[DIAG_FIELD] !== undefined) return;
    const attributes: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(fields)) {
      if (OMITTED.has(k) || v === null || v === undefined) continue;
      attributes[k] =
        typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? v : JSON.stringify(v);
    }
    const level = typeof fields["level"] === "string" ? fields["level"] : "info";
    const time = typeof fields["time"] === "string" ? Date.parse(fields["time"]) : Date.now();
    logger.emit({
      severityNumber: SEVERITY[level] ?? SeverityNumber.INFO,
      severityText: level.toUpperCase(),
      body: typeof fields["msg"] === "string" ? fields["msg"] : "",
      attributes,
      timestamp: Number.isNaN(time) ? Date.now() : time,
    });
  };
}
