import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StackError } from "../errors.ts";
import { logFile, partDir, type StackState } from "../state.ts";
import type { Part } from "./part.ts";

/**
 * Jaeger's configuration: an OpenTelemetry Collector file (Jaeger v2 is a collector distribution).
 * Run without one, Jaeger listens on fixed ports (OTLP 4317/4318, the query API on 16686 on all
 * interfaces): here every listener is on 127.0.0.1 at a port the stack picked (four: OTLP gRPC and
 * HTTP, the query API's HTTP and gRPC). The collector's own metrics (a Prometheus endpoint on 8888
 * by default) and the query service's own traces are off, and storage is in memory, so the
 * traces are gone when it stops, as the store's items are.
 */
export function jaegerConfig(state: StackState): string {
  const { ports } = state;
  const at = (port: number | undefined): string => {
    if (port === undefined) throw new StackError("jaeger's ports were not assigned");
    return `127.0.0.1:${port}`;
  };
  return `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    resource:
      service.name: jaeger
    metrics:
      level: none
    logs:
      level: info

extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
  jaeger_query:
    storage:
      traces: memstore
    # On by default in v2: the query service traces itself to OTLP gRPC at the fixed 127.0.0.1:4317,
    # which would be another stack's Jaeger, or nothing (a warning every second).
    enable_tracing: false
    http:
      endpoint: ${at(ports.jaeger)}
    grpc:
      endpoint: ${at(ports.jaegerQueryGrpc)}

receivers:
  otlp:
    protocols:
      grpc:
        endpoint: ${at(ports.jaegerOtlpGrpc)}
      http:
        endpoint: ${at(ports.jaegerOtlpHttp)}

processors:
  batch:
    # Spans reach the query API within a quarter of a second instead of the default 200 ms + size.
    timeout: 250ms

exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`;
}

/** Jaeger v2 (tools/stack/jaeger.ts builds it), with `--with-tracing`. */
export const jaegerPart: Part = {
  name: "jaeger",
  stopSignal: "SIGTERM",
  readyTimeoutMs: 30_000,

  async prepare(state) {
    const home = partDir(state.dir, "jaeger");
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, "config.yaml"), jaegerConfig(state));
    return Promise.resolve();
  },

  command(state) {
    const home = partDir(state.dir, "jaeger");
    if (state.jaeger === undefined) throw new StackError("jaeger not built (tools/stack/jaeger.ts)");
    return {
      cmd: state.jaeger,
      args: ["--config", join(home, "config.yaml")],
      cwd: home,
      logFile: logFile(state.dir, "jaeger"),
    };
  },

  async probe(state) {
    // The query API answers once storage and the extension are up; the OTLP receivers start before.
    const res = await fetch(`http://127.0.0.1:${state.ports.jaeger}/api/services`, {
      signal: AbortSignal.timeout(5_000),
    });
    if (!res.ok) throw new Error(`GET /api/services answered ${res.status}`);
    await res.arrayBuffer();
    // The collector starts its receivers after its extensions: an empty OTLP/HTTP export (JSON,
    // no spans) proves the one the sink will use accepts requests.
    const otlp = await fetch(`http://127.0.0.1:${state.ports.jaegerOtlpHttp}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
      signal: AbortSignal.timeout(5_000),
    });
    if (!otlp.ok) throw new Error(`POST /v1/traces answered ${otlp.status}`);
    await otlp.arrayBuffer();
  },
};
