// A tiny OTLP/HTTP receiver on loopback for the JSON protocol (OTEL_EXPORTER_OTLP_PROTOCOL=http/json):
// keeps every request's body and headers so a test can read what the service exported.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type AnyValue = {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
};
export type KeyValue = { key: string; value: AnyValue };
export type OtlpSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: KeyValue[];
  events?: { name: string; attributes?: KeyValue[] }[];
  status?: { code?: number; message?: string };
};
export type OtlpLog = {
  body?: AnyValue;
  severityText?: string;
  traceId?: string;
  spanId?: string;
  attributes?: KeyValue[];
};
type DataPoint = {
  attributes?: KeyValue[];
  asInt?: number | string;
  asDouble?: number;
  count?: number | string;
  timeUnixNano?: string;
};
export type OtlpMetric = {
  name: string;
  sum?: { dataPoints: DataPoint[] };
  gauge?: { dataPoints: DataPoint[] };
  histogram?: { dataPoints: DataPoint[] };
};

export const SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;
export const STATUS_ERROR = 2;

export type Received = { path: string; headers: Record<string, string | string[] | undefined>; body: string };

export async function startOtlpReceiver() {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const bodies = (path: string) =>
    requests.filter((r) => r.path === path).map((r) => JSON.parse(r.body) as Record<string, unknown[]>);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    spans(): OtlpSpan[] {
      return bodies("/v1/traces").flatMap((b) =>
        (b["resourceSpans"] as { scopeSpans: { spans: OtlpSpan[] }[] }[]).flatMap((r) =>
          r.scopeSpans.flatMap((s) => s.spans),
        ),
      );
    },
    logs(): OtlpLog[] {
      return bodies("/v1/logs").flatMap((b) =>
        (b["resourceLogs"] as { scopeLogs: { logRecords: OtlpLog[] }[] }[]).flatMap((r) =>
          r.scopeLogs.flatMap((s) => s.logRecords),
        ),
      );
    },
    /** Metrics of every export, in order; cumulative temporality, so the last one holds the totals. */
    metricExports(): OtlpMetric[][] {
      return bodies("/v1/metrics").map((b) =>
        (b["resourceMetrics"] as { scopeMetrics: { metrics: OtlpMetric[] }[] }[]).flatMap((r) =>
          r.scopeMetrics.flatMap((s) => s.metrics),
        ),
      );
    },
    resourceAttributes(path: string): KeyValue[] {
      const key =
        path === "/v1/traces" ? "resourceSpans" : path === "/v1/logs" ? "resourceLogs" : "resourceMetrics";
      return bodies(path).flatMap((b) =>
        (b[key] as { resource?: { attributes?: KeyValue[] } }[]).flatMap((r) => r.resource?.attributes ?? []),
      );
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function value(v: AnyValue | undefined): unknown {
  if (v === undefined) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(value);
  return undefined;
}

export function attrs(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));
}
