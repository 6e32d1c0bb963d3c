// OpenTelemetry setup for `cdc-sink run`, configured by the standard OTEL_* variables.
//
// - Nothing configured (no OTLP endpoint, no OTEL_*_EXPORTER): no SDK, no exporter, a no-op tracer;
//   the metrics still exist, for /metrics.
// - Configured: @opentelemetry/sdk-node sets up traces (exporter, sampler, span limits and batch
//   processor from OTEL_TRACES_*/OTEL_BSP_*), logs (pino's lines through the OTLP log bridge),
//   the W3C propagator (OTEL_PROPAGATORS) and the async context manager. Metrics have their own
//   MeterProvider with two readers: the Prometheus pull reader behind /metrics, and OTLP
//   (OTEL_METRICS_EXPORTER, OTEL_METRIC_EXPORT_INTERVAL) — sdk-node's own metric setup takes no
//   extra reader besides the ones it builds from the environment.
// - The SDK and the OTLP exporters read the OTEL_* variables from the process environment
//   themselves (they are the SDK's contract); `env` is what this module decides on, so the CLI
//   passes process.env.
// - The SDK and its exporters are imported only when configured (see telemetry.ts).
// - Exporter failures never reach processing: the SDK exports in the background and reports
//   through `diag`, which is routed to the log (rate-limited, and never back into the OTLP logs).

import { DiagLogLevel, context, diag, propagation, trace, type DiagLogger } from "@opentelemetry/api";
import { logs } from "@opentelemetry/api-logs";
import {
  ConsoleMetricExporter,
  PeriodicExportingMetricReader,
  type IMetricReader,
  type PushMetricExporter,
} from "@opentelemetry/sdk-metrics";
import { detectResources, envDetector, hostDetector, processDetector } from "@opentelemetry/resources";
import { ExitCode, FatalError } from "../core/errors.ts";
import { teeLines, type Log } from "./log.ts";
import { DIAG_FIELD, logBridge } from "./log-bridge.ts";
import { z } from "zod";
import { parseVariable } from "../config/config.ts";
import type { KeyMode } from "../config/parsers.ts";
import {
  SERVICE,
  SHUTDOWN_MS,
  baseResource,
  bounded,
  localTelemetry,
  meterProvider,
  once,
  type Telemetry,
} from "./telemetry.ts";

export { localTelemetry, type Telemetry };
export type Env = Readonly<Record<string, string | undefined>>;

const ENABLING = [
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
  "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
  "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
  "OTEL_TRACES_EXPORTER",
  "OTEL_METRICS_EXPORTER",
  "OTEL_LOGS_EXPORTER",
];

const set = (v: string | undefined): v is string => v !== undefined && v.trim() !== "";
const list = (v: string | undefined): string[] =>
  set(v)
    ? v
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "")
    : ["otlp"];

/** OTEL_CDC_KEY_MODE through its entry in ENV_SPEC (parser and default live there only). */
export function keyModeFrom(env: Env): KeyMode {
  try {
    return parseVariable("OTEL_CDC_KEY_MODE", env);
  } catch (err) {
    const why = err instanceof z.ZodError ? err.issues.map((i) => i.message).join("; ") : String(err);
    throw new FatalError("bad_config", `OTEL_CDC_KEY_MODE: ${why}`, ExitCode.badConfig);
  }
}

/** OpenTelemetry is on when an OTLP endpoint or an exporter is named, and the SDK is not disabled. */
export function telemetryConfigured(env: Env): boolean {
  if (env["OTEL_SDK_DISABLED"]?.trim().toLowerCase() === "true") return false;
  return ENABLING.some((name) => set(env[name]));
}

async function otlpMetricExporter(env: Env): Promise<PushMetricExporter> {
  const protocol =
    (env["OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"] ?? env["OTEL_EXPORTER_OTLP_PROTOCOL"] ?? "").trim() ||
    "http/protobuf";
  if (protocol === "http/json")
    return new (await import("@opentelemetry/exporter-metrics-otlp-http")).OTLPMetricExporter();
  if (protocol === "grpc")
    return new (await import("@opentelemetry/exporter-metrics-otlp-grpc")).OTLPMetricExporter();
  return new (await import("@opentelemetry/exporter-metrics-otlp-proto")).OTLPMetricExporter();
}

async function metricReaders(env: Env, log: Log): Promise<IMetricReader[]> {
  const names = list(env["OTEL_METRICS_EXPORTER"]);
  if (names.includes("none")) return [];
  const interval = Number(env["OTEL_METRIC_EXPORT_INTERVAL"]) || 60_000;
  const timeout = Math.min(Number(env["OTEL_METRIC_EXPORT_TIMEOUT"]) || 30_000, interval);
  const readers: IMetricReader[] = [];
  for (const name of names) {
    if (name === "otlp")
      readers.push(
        new PeriodicExportingMetricReader({
          exporter: await otlpMetricExporter(env),
          exportIntervalMillis: interval,
          exportTimeoutMillis: timeout,
        }),
      );
    else if (name === "console")
      readers.push(
        new PeriodicExportingMetricReader({
          exporter: new ConsoleMetricExporter(),
          exportIntervalMillis: interval,
          exportTimeoutMillis: timeout,
        }),
      );
    else if (name !== "prometheus")
      log.warn(
        { exporter: name },
        "OTEL_METRICS_EXPORTER: unsupported exporter ignored (otlp, console, prometheus, none)",
      );
    // `prometheus`: always served on the health port's /metrics, no second server.
  }
  return readers;
}

/** The SDK's own diagnostics, into the log: deduplicated per minute, marked so the bridge skips them. */
function diagToLog(log: Log): DiagLogger {
  const child = log.child({ [DIAG_FIELD]: true });
  const seen = new Map<string, number>();
  const emit =
    (level: "warn" | "error" | "debug") =>
    (message: string, ...args: unknown[]) => {
      // Strings and error messages only: diagnostic arguments can be whole requests.
      const text = [
        message,
        ...args.map((a) => (a instanceof Error ? a.message : typeof a === "string" ? a : "")),
      ]
        .join(" ")
        .trim()
        .slice(0, 300);
      const now = Date.now();
      if (now - (seen.get(text) ?? 0) < 60_000) return;
      seen.set(text, now);
      if (seen.size > 100) seen.clear();
      child[level](`opentelemetry: ${text}`);
    };
  return {
    error: emit("error"),
    warn: emit("warn"),
    info: emit("debug"),
    debug: emit("debug"),
    verbose: emit("debug"),
  };
}

function endpointForLog(env: Env): string | undefined {
  const raw = env["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"];
  if (!set(raw)) return undefined;
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`; // never user info or query: they can hold keys
  } catch {
    return "(not a URL)";
  }
}

/**
 * Starts OpenTelemetry from the standard OTEL_* variables (see the module comment). Throws only on
 * bad configuration of its own (OTEL_CDC_KEY_MODE); everything after that is logged, not thrown.
 */
export async function startTelemetry(env: Env, log: Log): Promise<Telemetry> {
  const keyMode = keyModeFrom(env);
  if (!telemetryConfigured(env)) {
    log.debug("telemetry: no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_*_EXPORTER set; metrics on /metrics only");
    return localTelemetry(keyMode);
  }
  diag.setLogger(diagToLog(log), DiagLogLevel.WARN);
  const resource = baseResource().merge(
    detectResources({ detectors: [envDetector, processDetector, hostDetector] }),
  );
  const { provider, prometheus } = meterProvider(resource, await metricReaders(env, log));
  const { NodeSDK } = await import("@opentelemetry/sdk-node");
  // metricReaders: [] keeps sdk-node from building a second MeterProvider of its own.
  const sdk = new NodeSDK({ resource, autoDetectResources: false, metricReaders: [] });
  sdk.start();
  const logsOn = !list(env["OTEL_LOGS_EXPORTER"]).includes("none");
  const detach = logsOn ? teeLines(log, logBridge(logs.getLogger(SERVICE))) : () => undefined;
  if (resource.asyncAttributesPending === true) await resource.waitForAsyncAttributes?.();
  log.info(
    {
      endpoint: endpointForLog(env),
      protocol: env["OTEL_EXPORTER_OTLP_PROTOCOL"] ?? "http/protobuf",
      traces: list(env["OTEL_TRACES_EXPORTER"]).join(","),
      metrics: list(env["OTEL_METRICS_EXPORTER"]).join(","),
      logs: list(env["OTEL_LOGS_EXPORTER"]).join(","),
      sampler: env["OTEL_TRACES_SAMPLER"] ?? "parentbased_always_on",
      keyMode,
    },
    "telemetry: exporting with OpenTelemetry",
  );
  return {
    tracer: trace.getTracer(SERVICE),
    meter: provider.getMeter(SERVICE),
    keyMode,
    metricsText: () => prometheus.text(),
    shutdown: once(async () => {
      await bounded(Promise.allSettled([sdk.shutdown(), provider.shutdown()]), SHUTDOWN_MS);
      detach();
      // Unregistered, so that a later start in the same process (tests) registers afresh.
      trace.disable();
      context.disable();
      propagation.disable();
      logs.disable();
      diag.disable();
    }),
  };
}
