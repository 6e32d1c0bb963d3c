// Prometheus text exposition of the service's counters and gauges for /metrics.

import { OUTCOMES } from "../cdc/types.ts";
import type { Stats } from "../consumer/stats.ts";

export type Gauges = { inFlight: number; limit: number; buffered: number; pausedPartitions: number; ready: boolean };

export function prometheusText(stats: Stats, gauges: Gauges): string {
  const lines: string[] = [];
  const metric = (name: string, type: string, help: string, samples: [string, number][]): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  const byOutcome: [string, number][] = [];
  for (const [tp, c] of stats.partitions()) {
    const [topic, partition] = [tp.slice(0, tp.lastIndexOf("/")), tp.slice(tp.lastIndexOf("/") + 1)];
    for (const o of OUTCOMES) byOutcome.push([`{topic="${topic}",partition="${partition}",outcome="${o}"}`, c[o]]);
  }
  metric("cdc_sink_records_total", "counter", "Records by final outcome.", byOutcome);
  metric("cdc_sink_records_consumed_total", "counter", "Records received from Kafka.", [["", stats.total.consumed]]);
  metric("cdc_sink_records_released_total", "counter", "Records handed back to Kafka unprocessed (shutdown, revocation).", [["", stats.total.released]]);
  metric("cdc_sink_retries_total", "counter", "Transient errors retried.", [["", stats.total.retries]]);
  metric("cdc_sink_writes_in_flight", "gauge", "DynamoDB writes in flight.", [["", gauges.inFlight]]);
  metric("cdc_sink_write_concurrency_limit", "gauge", "Adaptive in-flight limit.", [["", gauges.limit]]);
  metric("cdc_sink_buffered_records", "gauge", "Records fetched and not yet final.", [["", gauges.buffered]]);
  metric("cdc_sink_paused_partitions", "gauge", "Partitions paused for retries or memory.", [["", gauges.pausedPartitions]]);
  metric("cdc_sink_ready", "gauge", "1 when ready.", [["", gauges.ready ? 1 : 0]]);
  return `${lines.join("\n")}\n`;
}
