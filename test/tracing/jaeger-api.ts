// Reads Jaeger's HTTP query API (`/api/traces`, the JSON its web UI uses; Jaeger v2 serves it from
// the jaeger_query extension). Tags keep their JSON types: int64 and bool attributes come back as
// numbers and booleans, the span kind as the tag `span.kind`, an ERROR status as `otel.status_code`
// plus `error: true`.

export type JaegerTag = { key: string; type: string; value: unknown };
export type JaegerSpan = {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; traceID: string; spanID: string }[];
  tags: JaegerTag[];
  processID: string;
};
export type JaegerTrace = {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: JaegerTag[] }>;
};

/** The traces Jaeger holds for a service (most recent first, up to `limit`). */
export async function jaegerTraces(queryUrl: string, service: string, limit = 50): Promise<JaegerTrace[]> {
  const url = `${queryUrl}/api/traces?service=${encodeURIComponent(service)}&limit=${limit}&lookback=1h`;
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { data: JaegerTrace[] | null; errors?: unknown };
  // Until the service's first span is stored, Jaeger answers 404 "service not found"; keep polling.
  if (res.status === 404) return [];
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${JSON.stringify(body.errors)}`);
  return body.data ?? [];
}

export const tagsOf = (span: JaegerSpan): Record<string, unknown> =>
  Object.fromEntries(span.tags.map((t) => [t.key, t.value]));

/** The span's parent (its CHILD_OF reference), as OTLP's parentSpanId becomes in Jaeger. */
export const parentOf = (span: JaegerSpan): string | undefined =>
  span.references.find((r) => r.refType === "CHILD_OF")?.spanID;
