// What the service takes from telemetry, and the state with no OpenTelemetry configured: metrics
// for /metrics and a tracer that records nothing. Kept apart from otel.ts so that the service loads
// no SDK, exporter or gRPC code unless OpenTelemetry is configured (start-up time matters: a pod
// that is slow to install its signal handlers is killed mid-start by a quick SIGTERM).

import { ProxyTracerProvider, type Meter, type Tracer } from "@opentelemetry/api";
import { MeterProvider, type IMetricReader } from "@opentelemetry/sdk-metrics";
import { defaultResource, resourceFromAttributes, type Resource } from "@opentelemetry/resources";
import { PrometheusReader } from "./prometheus.ts";
import type { KeyMode } from "./record-tracer.ts";

export const SERVICE = "cdc-dynamodb-sink";
export const SHUTDOWN_MS = 5000;

/** What the composition root hands to startService. */
export type Telemetry = {
  readonly tracer: Tracer;
  readonly meter: Meter;
  readonly keyMode: KeyMode;
  /**
   * false: the tracer records nothing (no OpenTelemetry SDK), so the hooks make no spans at all —
   * a no-op span still costs its attributes, a context and a map entry per record. Absent: true.
   */
  readonly tracing?: boolean;
  /** Prometheus text of every instrument, for the health server's /metrics. */
  metricsText(): Promise<string>;
  /** Flushes and stops the exporters; bounded, never throws, idempotent. */
  shutdown(): Promise<void>;
};

export function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn().catch(() => undefined));
}

/** Waits for `work` at most `ms`; a collector that does not answer must not hold the exit. */
export function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms).unref()));
  return Promise.race([
    work.then(
      () => undefined,
      () => undefined,
    ),
    deadline,
  ]).finally(() => clearTimeout(timer));
}

export function baseResource(): Resource {
  return defaultResource().merge(resourceFromAttributes({ "service.name": SERVICE }));
}

/** The service's MeterProvider: the /metrics reader always, plus any push readers (OTLP). */
export function meterProvider(
  resource: Resource,
  pushReaders: readonly IMetricReader[] = [],
): { provider: MeterProvider; prometheus: PrometheusReader } {
  const prometheus = new PrometheusReader();
  return { provider: new MeterProvider({ resource, readers: [prometheus, ...pushReaders] }), prometheus };
}

/** Metrics for /metrics only, and a tracer that records nothing: the state with no OTEL_* set. */
export function localTelemetry(keyMode: KeyMode = "hash"): Telemetry {
  const { provider, prometheus } = meterProvider(baseResource());
  return {
    tracer: new ProxyTracerProvider().getTracer(SERVICE),
    tracing: false,
    meter: provider.getMeter(SERVICE),
    keyMode,
    metricsText: () => prometheus.text(),
    shutdown: once(() => bounded(provider.shutdown(), SHUTDOWN_MS)),
  };
}
