// The ceiling arms' table and goal G10 (docs/performance.md): medians over the repeats, with the
// spread (lowest–highest) beside them; CPU per written record is the figure G10 holds.

import type { Goal } from "../report.ts";
import type { CeilingArm, CeilingResult, Sample } from "./run.ts";

export const G10_MAX_MS = 0.3;
export const G10_MAX_FLOOR_RATIO = 1.3;

function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const pick = (arm: CeilingArm, k: keyof Sample): number[] => arm.samples.map((s) => s[k]);

function cell(xs: number[], digits: number): string {
  const f = xs.filter((x) => Number.isFinite(x));
  if (f.length === 0) return "n/a";
  const fmt = (x: number) => (digits === 0 ? Math.round(x).toLocaleString("en-US") : x.toFixed(digits));
  if (f.length === 1) return fmt(f[0]!);
  return `${fmt(median(f))} (${fmt(Math.min(...f))}–${fmt(Math.max(...f))})`;
}

/** CPU per written record of an arm: the loops write every record, the sinks not coalesced ones. */
export const perWrite = (arm: CeilingArm): number =>
  median(arm.samples.map((s) => (Number.isFinite(s.cpuMsPerWrite) ? s.cpuMsPerWrite : s.cpuMsPerRecord)));

export function ceilingTable(c: CeilingResult): string {
  const floor = perWrite(c.floor);
  const rows: [string, CeilingArm, string][] = [
    ["B-floor", c.floor, "hand-signed PutItem over node:http, 64 in flight, no Kafka"],
    ["B-sdk loop", c.sdkLoop, "the same loop through the SDK client's send"],
    ["B-ours", c.ours, "`cdc-sink run`, DYNAMODB_WRITE_CLIENT=direct (the default)"],
    ["B-ours, sdk", c.oursSdk, "`cdc-sink run`, DYNAMODB_WRITE_CLIENT=sdk"],
    ["B-naive", c.naive, "eachMessage + one awaited SDK PutItem"],
  ];
  if (c.flink !== undefined)
    rows.push([
      "B-flink",
      c.flink,
      "Flink KafkaSource + DynamoDbSink, parallelism 1: unconditional BatchWriteItem of 25 (`--peers`)",
    ]);
  const lines = [
    `Ceiling: a responder that answers at once; each client alone on ${c.clientCore}; ` +
      `median (lowest–highest) of ${c.floor.samples.length} runs`,
    "",
    "| arm | records/s on one core | CPU ms per record | CPU ms per written record | ÷ B-floor | note |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const [name, arm, note] of rows) {
    const written = arm.samples.map((s) => s.cpuMsPerWrite);
    lines.push(
      `| ${name} | ${cell(pick(arm, "rate"), 0)} | ${cell(pick(arm, "cpuMsPerRecord"), 3)} | ` +
        `${cell(written, 3)} | ${(perWrite(arm) / floor).toFixed(2)} | ${note} |`,
    );
  }
  return lines.join("\n");
}

export function ceilingGoals(c: CeilingResult): Goal[] {
  const ours = perWrite(c.ours);
  const ratio = ours / perWrite(c.floor);
  return [
    {
      id: "G10",
      what: "client CPU per written record against the responder (B-ours)",
      value: ours,
      target: `≤ ${G10_MAX_MS} ms`,
      pass: ours <= G10_MAX_MS,
    },
    {
      id: "G10",
      what: "the same ÷ B-floor in the same run",
      value: ratio,
      target: `≤ ${G10_MAX_FLOOR_RATIO}`,
      pass: ratio <= G10_MAX_FLOOR_RATIO,
    },
  ];
}
