// /metrics: the OpenTelemetry instruments in Prometheus text format, collected when scraped. A pull
// reader on the service's MeterProvider with exporter-prometheus's serializer, and no server of its
// own: the health server answers /metrics, as before.

import { MetricReader } from "@opentelemetry/sdk-metrics";
import { PrometheusSerializer } from "@opentelemetry/exporter-prometheus";

export class PrometheusReader extends MetricReader {
  readonly #serializer = new PrometheusSerializer("", false);

  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }

  /** The exposition text; an instrument whose callback failed is left out, the rest is served. */
  async text(): Promise<string> {
    const { resourceMetrics } = await this.collect();
    return this.#serializer.serialize(resourceMetrics);
  }
}
