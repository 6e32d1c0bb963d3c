// The goals of docs/performance.md as pass/fail over one run's figures, and the
// printed tables.

import type { ArmResult } from "./arms.ts";
import type { LatencyResult } from "./latency.ts";
import type { StoreResult } from "./store.ts";
import type { Peers } from "./peers/index.ts";

export type Rate = {
  records: number;
  seconds: number;
  rate: number;
  peakRssMb?: number;
  cpuMsPerRecord?: Record<string, number>;
};
/** One build of the product through the same runs: many keys, hot keys, paced latency. */
export type Product = { ours: Rate; oursHot: Rate; latency: LatencyResult };
export type RegimeResult = Product & {
  regime: "L" | "R";
  store: { best: StoreResult; points: StoreResult[]; rttMs: number };
  naive: ArmResult;
  /** B-ours built from another checkout (--candidate): same runs, right after the shipped product's. */
  candidate?: Product;
  hotKeys: number;
  /** `--peers`: the Flink peer over the same topic and store. */
  peers?: Peers;
};
export type BacklogResult = {
  smallRecords: number;
  smallRssMb: number;
  bigRecords: number;
  bigRssMb: number;
};
export type Goal = { id: string; what: string; value: number; target: string; pass: boolean };

function products(r: RegimeResult): [string, Product][] {
  return r.candidate === undefined
    ? [["B-ours", r]]
    : [
        ["B-ours", r],
        ["candidate", r.candidate],
      ];
}

export function goals(
  regimes: RegimeResult[],
  kafka: ArmResult,
  backlogs: BacklogResult[],
  wcuPerRecord: number,
): Goal[] {
  const out: Goal[] = [];
  const add = (id: string, what: string, value: number, target: string, pass: boolean): void =>
    void out.push({ id, what, value, target, pass });
  for (const r of regimes) {
    const store = r.store.best.rate;
    const ceiling = Math.min(store, r.hotKeys / (r.store.rttMs / 1000));
    const bound = r.regime === "L" ? 50 : 100;
    add("G3", `${r.regime}: B-kafka ÷ B-store`, kafka.rate / store, "≥ 10", kafka.rate / store >= 10);
    for (const [label, p] of products(r)) {
      const g1 = p.ours.rate / store;
      add("G1", `${r.regime}: ${label} ÷ B-store`, g1, "≥ 0.90", g1 >= 0.9);
      if (r.regime === "R")
        add(
          "G2",
          `R: ${label} ÷ B-naive`,
          p.ours.rate / r.naive.rate,
          "≥ 10",
          p.ours.rate / r.naive.rate >= 10,
        );
      add(
        "G4",
        `${r.regime}: ${label} hot ÷ min(B-store, ${r.hotKeys} keys ÷ ${r.store.rttMs.toFixed(1)} ms)`,
        p.oursHot.rate / ceiling,
        "≥ 0.70",
        p.oursHot.rate / ceiling >= 0.7,
      );
      add(
        "G5",
        `${r.regime}: ${label} p99 produce→durable at ${Math.round(p.latency.rate)}/s (ms)${spread(p.latency)}`,
        p.latency.p99Ms,
        `≤ ${bound}`,
        p.latency.p99Ms <= bound,
      );
      add(
        "G6",
        `${r.regime}: ${label} p99 durable→committed (ms)`,
        p.latency.commitLagP99Ms,
        "≤ 1000",
        p.latency.commitLagP99Ms <= 1000,
      );
      add(
        "G7",
        `${r.regime}: ${label} peak RSS at B-store load (MB)`,
        p.ours.peakRssMb ?? NaN,
        "≤ 256",
        (p.ours.peakRssMb ?? Infinity) <= 256,
      );
    }
  }
  for (const r of regimes) {
    if (r.peers === undefined) continue;
    // Records per CPU-second of the client process: the JVM (every thread) against the sink's Node.
    const g11 = (r.peers.flink.cpuMsPerRecord["flink"] ?? NaN) / (r.ours.cpuMsPerRecord?.["sink"] ?? NaN);
    add("G11", `${r.regime}: B-ours records per CPU-second ÷ Flink peer's`, g11, "≥ 1", g11 >= 1);
  }
  backlogs.forEach((b, i) => {
    const ratio = b.bigRssMb / b.smallRssMb;
    const what =
      `${i === 0 ? "B-ours" : "candidate"} RSS ${fmtCount(b.bigRecords)} ÷ ${fmtCount(b.smallRecords)} ` +
      `backlog (${b.bigRssMb.toFixed(0)} ÷ ${b.smallRssMb.toFixed(0)} MB)`;
    add("G7", what, ratio, "≤ 1.2", ratio <= 1.2);
  });
  add(
    "G9",
    "WCU per ≤ 1 KB record on AWS, default config (computed)",
    wcuPerRecord,
    "= 1",
    wcuPerRecord === 1,
  );
  return out;
}

/** What G1 would be if the machine's CPU were the only limit: B-store's CPU per record ÷ B-ours'. */
export function cpuRatio(store: Rate, ours: Rate): number {
  const total = (c: Record<string, number> | undefined) => Object.values(c ?? {}).reduce((a, b) => a + b, 0);
  return total(store.cpuMsPerRecord) / total(ours.cpuMsPerRecord);
}

/** The p99 of every run when the latency arm was repeated: " (runs 41, 48, 95)". */
function spread(l: LatencyResult): string {
  return (l.runs?.length ?? 0) > 1 ? ` (runs ${l.runs!.map((r) => num(r.p99Ms)).join(", ")})` : "";
}

function fmtCount(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${Math.round(n / 1e3)}k` : String(n);
}

const num = (v: number, digits = 0): string => (Number.isFinite(v) ? v.toFixed(digits) : "n/a");

export function table(regimes: RegimeResult[], kafka: ArmResult, list: Goal[]): string {
  const lines: string[] = [];
  const row = (cells: string[]): void => void lines.push(`| ${cells.join(" | ")} |`);
  const header = (first: string, note: string): void => {
    if (lines.length > 0) lines.push("");
    row([first, ...regimes.map((r) => `regime ${r.regime}`), note]);
    row(["---", ...regimes.map(() => "---:"), "---"]);
  };
  const labels = regimes[0] === undefined ? [] : products(regimes[0]).map(([label]) => label);
  const each = (
    pick: (p: Product, r: RegimeResult) => string,
    note: (label: string) => string,
    name: (label: string) => string,
  ): void => {
    labels.forEach((label, i) =>
      row([
        name(label),
        ...regimes.map((r) => (products(r)[i] === undefined ? "n/a" : pick(products(r)[i]![1], r))),
        note(label),
      ]),
    );
  };
  const warmupSeconds = regimes[0] === undefined ? NaN : products(regimes[0])[0]?.[1].latency.warmupSeconds;
  const shape = ({ store: { best } }: RegimeResult): string =>
    `${best.shape}${best.shape === "put" ? "" : `×${best.chunk}`} @${best.inFlight}`;
  header("records/s", "note");
  row([
    "B-store",
    ...regimes.map((r) => num(r.store.best.rate)),
    `best of sweep (${regimes.map((r) => `${r.regime}: ${shape(r)}`).join(", ")}), mean of the runs ` +
      `before and after B-ours`,
  ]);
  row(["B-naive", ...regimes.map((r) => num(r.naive.rate)), "eachMessage, one awaited PutItem"]);
  if (regimes.some((r) => r.peers !== undefined))
    row([
      "Flink peer",
      ...regimes.map((r) => num(r.peers?.flink.rate ?? NaN)),
      "KafkaSource + DynamoDbSink, MiniCluster, unconditional BatchWriteItem",
    ]);
  row(["B-kafka", ...regimes.map(() => num(kafka.rate)), "consume only (regime-independent)"]);
  each(
    (p) => num(p.ours.rate),
    (l) =>
      l === "B-ours"
        ? "CLI child process, default configuration"
        : "--candidate checkout, default configuration",
    (l) => l,
  );
  each(
    (p) => num(p.oursHot.rate),
    () => `${regimes[0]?.hotKeys ?? 0} keys`,
    (l) => `${l} hot keys`,
  );
  header("latency (ms)", "paced at half of B-store's rate");
  each(
    (p) => `${num(p.latency.p50Ms)} / ${num(p.latency.p99Ms)}`,
    () => "p50 / p99",
    (l) => `${l} produce→durable`,
  );
  each(
    (p) => `${num(p.latency.sentP50Ms)} / ${num(p.latency.sentP99Ms)}`,
    () => "p50 / p99, to the request built (_cdc_written_at)",
    (l) => `${l} produce→sent`,
  );
  each(
    (p) => num(p.latency.warmupP99Ms),
    () => `p99 of the first ${warmupSeconds} s (the warm-up), not judged`,
    (l) => `${l} warm-up`,
  );
  each(
    (p) => num(p.latency.ackedP99Ms),
    () => "p99, the benchmark producer's own share (acks=all)",
    (l) => `${l} produce→acked`,
  );
  each(
    (p) => `${num(p.latency.commitLagP50Ms)} / ${num(p.latency.commitLagP99Ms)}`,
    () => "p50 / p99",
    (l) => `${l} durable→committed`,
  );
  each(
    (p) => num(p.ours.peakRssMb ?? NaN),
    () => "VmHWM, many-keys run",
    (l) => `${l} peak RSS (MB)`,
  );
  header("CPU ms per record", "client / store / proxy");
  const cpu = (c: Record<string, number> | undefined): string =>
    Object.values(c ?? {})
      .map((v) => num(v, 2))
      .join(" / ");
  row(["B-store", ...regimes.map((r) => cpu(r.store.best.cpuMsPerRecord)), "best shape, runs around B-ours"]);
  if (regimes.some((r) => r.peers !== undefined))
    row([
      "Flink peer",
      ...regimes.map((r) => cpu(r.peers?.flink.cpuMsPerRecord)),
      "the JVM: all threads, start-up excluded",
    ]);
  each(
    (p) => cpu(p.ours.cpuMsPerRecord),
    () => "",
    (l) => l,
  );
  each(
    (p, r) => num(cpuRatio(r.store.best, p.ours), 2),
    () => "B-store's CPU per record ÷ this one's",
    (l) => `${l} ÷ B-store if CPU-bound`,
  );
  header("goal", "target / result");
  lines.splice(lines.length - 2, 2, "| goal | measured | target | result |", "| --- | ---: | --- | --- |");
  for (const g of list)
    row([`${g.id} ${g.what}`, num(g.value, g.value < 20 ? 2 : 0), g.target, g.pass ? "pass" : "**FAIL**"]);
  return lines.join("\n");
}

export function sweepTable(regimes: RegimeResult[]): string {
  const lines = [
    "| regime | shape | in flight | records/s | ms per request | CPU ms/record (client / store / proxy) |",
    "| --- | --- | ---: | ---: | ---: | --- |",
  ];
  for (const r of regimes) {
    for (const p of r.store.points) {
      const cpu = Object.values(p.cpuMsPerRecord)
        .map((v) => num(v, 2))
        .join(" / ");
      lines.push(
        `| ${r.regime} | ${p.shape}${p.shape === "put" ? "" : `×${p.chunk}`} | ${p.inFlight} | ` +
          `${num(p.rate)} | ${num(p.meanLatencyMs, 1)} | ${cpu} |`,
      );
    }
  }
  return lines.join("\n");
}
