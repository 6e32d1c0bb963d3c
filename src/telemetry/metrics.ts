// The service's metrics, on the OpenTelemetry metrics API. Names use OTel's dotted style; the
// Prometheus names they become on /metrics (dots → underscores, counters + `_total`) are listed in
// docs/telemetry.md and used by deploy/grafana/cdc-dynamodb-sink.json. Attributes follow the
// messaging semantic conventions where one fits (messaging.destination.name = topic, …).
//
// Outcome, consumed and released counts are read from Stats when collected (observable counters),
// so /metrics and OTLP always equal the service's own counts, whatever a hook did.

import type { Attributes, Counter, Histogram, Meter } from "@opentelemetry/api";
import { OUTCOMES } from "../core/types.ts";
import type { Stats } from "../engine/stats.ts";
import type { CommitPoint } from "../engine/ports.ts";

export const METRIC = {
  records: "cdc_sink.records",
  skipped: "cdc_sink.records.skipped",
  consumed: "cdc_sink.records.consumed",
  released: "cdc_sink.records.released",
  retries: "cdc_sink.retries",
  writeDuration: "cdc_sink.write.duration",
  commitDuration: "cdc_sink.commit.duration",
  lag: "cdc_sink.consumer.lag",
  freshness: "cdc_sink.freshness",
  inFlight: "cdc_sink.writes.in_flight",
  limit: "cdc_sink.write.concurrency_limit",
  buffered: "cdc_sink.buffered_records",
  paused: "cdc_sink.paused_partitions",
  ready: "cdc_sink.ready",
  rebalances: "cdc_sink.rebalances",
  dlqPublishes: "cdc_sink.dlq.publishes",
  truncatedItems: "cdc_sink.truncate.items",
  consumedWriteUnits: "cdc_sink.consumed_write_units",
  breakerOpen: "cdc_sink.circuit_breaker.open",
  rebalanceStorm: "cdc_sink.rebalance_storm",
} as const;

const TOPIC = "messaging.destination.name";
const PARTITION = "messaging.destination.partition.id";

// Seconds. A DynamoDB write takes milliseconds; a commit tens of them; freshness spans the whole lag.
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const FRESHNESS_BUCKETS = [
  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 21600, 86400,
];

/** Live state the gauges read when collected. */
export type ServiceGauges = {
  inFlight(): number;
  limit(): number;
  buffered(): number;
  pausedPartitions(): number;
  ready(): boolean;
  breakerOpen?(): boolean;
  rebalanceStorm?(): boolean;
};

function splitKey(tp: string): Attributes {
  const i = tp.lastIndexOf("/");
  return { [TOPIC]: tp.slice(0, i), [PARTITION]: tp.slice(i + 1) };
}

export class SinkMetrics {
  readonly #retries: Counter;
  readonly #writeDuration: Histogram;
  readonly #commitDuration: Histogram;
  readonly #freshness: Histogram;
  readonly #rebalances: Counter;
  readonly #dlq: Counter;
  readonly #meter: Meter;
  // Lag per partition = log end offset at the last fetch − the offset this member committed.
  readonly #lag = new Map<
    string,
    { end: bigint; committed: bigint | undefined; first: bigint | undefined }
  >();

  constructor(meter: Meter) {
    this.#meter = meter;
    this.#retries = meter.createCounter(METRIC.retries, {
      description: "Transient errors retried, by error code.",
    });
    this.#writeDuration = meter.createHistogram(METRIC.writeDuration, {
      unit: "s",
      description: "Duration of DynamoDB calls.",
      advice: { explicitBucketBoundaries: LATENCY_BUCKETS },
    });
    this.#commitDuration = meter.createHistogram(METRIC.commitDuration, {
      unit: "s",
      description: "Duration of offset commits.",
      advice: { explicitBucketBoundaries: LATENCY_BUCKETS },
    });
    this.#freshness = meter.createHistogram(METRIC.freshness, {
      unit: "s",
      description: "Source commit time (Debezium source.ts_ms) to the write being applied.",
      advice: { explicitBucketBoundaries: FRESHNESS_BUCKETS },
    });
    this.#rebalances = meter.createCounter(METRIC.rebalances, {
      description: "Consumer group rebalances this member took part in.",
    });
    this.#dlq = meter.createCounter(METRIC.dlqPublishes, {
      description: "Records published to the dead-letter topic.",
    });
  }

  /** The counters read from Stats and the gauges read from the running service. */
  observe(stats: Stats, gauges: ServiceGauges): void {
    const m = this.#meter;
    m.createObservableCounter(METRIC.records, {
      description: "Records by final outcome (cdc.outcome).",
    }).addCallback((r) => {
      for (const [tp, c] of stats.partitions())
        for (const o of OUTCOMES) r.observe(c[o], { ...splitKey(tp), "cdc.outcome": o });
    });
    m.createObservableCounter(METRIC.skipped, {
      description: "Skipped records by reason (cdc.skip_reason): side topics, tombstones, poison skipped.",
    }).addCallback((r) => {
      for (const [tp, reasons] of stats.skipsByPartition())
        for (const [reason, n] of reasons) r.observe(n, { ...splitKey(tp), "cdc.skip_reason": reason });
    });
    m.createObservableCounter(METRIC.truncatedItems, {
      description: "Items tombstoned by truncates (TRUNCATE_POLICY=apply).",
    }).addCallback((r) => {
      for (const [tp, n] of stats.truncatedItems) r.observe(n, splitKey(tp));
    });
    m.createObservableCounter(METRIC.consumed, { description: "Records received from Kafka." }).addCallback(
      (r) => {
        for (const [tp, c] of stats.partitions()) r.observe(c.consumed, splitKey(tp));
      },
    );
    m.createObservableCounter(METRIC.released, {
      description: "Records handed back to Kafka unprocessed (shutdown, revocation).",
    }).addCallback((r) => {
      for (const [tp, c] of stats.partitions()) r.observe(c.released, splitKey(tp));
    });
    m.createObservableGauge(METRIC.lag, {
      unit: "{message}",
      description: "Log end offset at the last fetch minus the offset committed by this member.",
    }).addCallback((r) => {
      for (const [tp, l] of this.#lag) {
        const done = l.committed ?? l.first;
        if (done !== undefined) r.observe(Number(l.end > done ? l.end - done : 0n), splitKey(tp));
      }
    });
    const gauge = (name: string, description: string, read: () => number): void =>
      m.createObservableGauge(name, { description }).addCallback((r) => r.observe(read()));
    gauge(METRIC.inFlight, "DynamoDB writes in flight.", () => gauges.inFlight());
    gauge(METRIC.limit, "Adaptive in-flight limit.", () => gauges.limit());
    gauge(METRIC.buffered, "Records fetched and not yet final.", () => gauges.buffered());
    gauge(METRIC.paused, "Partitions paused for retries or memory.", () => gauges.pausedPartitions());
    gauge(METRIC.ready, "1 when ready.", () => (gauges.ready() ? 1 : 0));
    gauge(METRIC.breakerOpen, "1 while the store's circuit breaker is open.", () =>
      gauges.breakerOpen?.() === true ? 1 : 0,
    );
    gauge(METRIC.rebalanceStorm, "1 while in a rebalance storm.", () =>
      gauges.rebalanceStorm?.() === true ? 1 : 0,
    );
    m.createObservableCounter(METRIC.consumedWriteUnits, {
      description:
        "DynamoDB write capacity units consumed, by the write's outcome (cdc.outcome: applied, or " +
        "refused as duplicate or stale).",
    }).addCallback((r) => {
      for (const [outcome, units] of stats.writeUnitsByOutcome) r.observe(units, { "cdc.outcome": outcome });
    });
  }

  retry(topic: string, code: string, errorClass: string): void {
    this.#retries.add(1, { [TOPIC]: topic, "error.type": code, "cdc.error.class": errorClass });
  }

  write(seconds: number, attributes: Attributes): void {
    this.#writeDuration.record(seconds, attributes);
  }

  commit(seconds: number, ok: boolean): void {
    this.#commitDuration.record(seconds, { "cdc.commit.result": ok ? "ok" : "error" });
  }

  applied(topic: string, sourceTsMs: number | undefined, now: number): void {
    if (sourceTsMs === undefined || !Number.isFinite(sourceTsMs)) return;
    this.#freshness.record(Math.max(0, now - sourceTsMs) / 1000, { [TOPIC]: topic });
  }

  dlqPublish(dlqTopic: string, ok: boolean, code: string): void {
    this.#dlq.add(1, { [TOPIC]: dlqTopic, "cdc.dlq.result": ok ? "ok" : "error", "cdc.error.code": code });
  }

  rebalance(): void {
    this.#rebalances.add(1);
    // The partitions may go to another member: their lag is no longer ours to report.
    this.#lag.clear();
  }

  fetched(topic: string, partition: number, highWatermark: string, firstOffset?: string): void {
    const key = `${topic}/${partition}`;
    const l = this.#lag.get(key);
    const end = BigInt(highWatermark);
    if (l === undefined)
      this.#lag.set(key, {
        end,
        committed: undefined,
        first: firstOffset === undefined ? undefined : BigInt(firstOffset),
      });
    else l.end = end;
  }

  committed(points: readonly CommitPoint[]): void {
    for (const p of points) {
      const l = this.#lag.get(`${p.topic}/${p.partition}`);
      if (l !== undefined) l.committed = BigInt(p.offset);
    }
  }
}
