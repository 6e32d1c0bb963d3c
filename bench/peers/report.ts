// The peers' table (`npm run bench -- --peers`): the Flink peer beside B-ours in each regime, and
// what the replay demonstration found in both tables.

import type { RegimeResult } from "../report.ts";
import type { FlinkBuild } from "./flink.ts";
import type { ReplayResult } from "./index.ts";
import type { Verdict } from "./replay.ts";

const num = (v: number | undefined, digits = 0): string =>
  v !== undefined && Number.isFinite(v) ? v.toFixed(digits) : "n/a";

export function peersTable(
  regimes: RegimeResult[],
  build: FlinkBuild,
  replay: ReplayResult | undefined,
): string {
  const lines = [
    `Peers (Flink 1.19.3 MiniCluster, parallelism 2, jar ${num(build.jarMb)} MB` +
      `${build.builtSeconds === undefined ? ", cached" : `, built in ${num(build.builtSeconds)} s`}):`,
    "",
    "| regime | arm | records/s | client CPU ms/record | store CPU ms/record | peak RSS (MB) | start-up |",
    "| --- | --- | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const r of regimes) {
    const f = r.peers?.flink;
    if (f === undefined) continue;
    lines.push(
      `| ${r.regime} | B-ours | ${num(r.ours.rate)} | ${num(r.ours.cpuMsPerRecord?.["sink"], 3)} | ` +
        `${num(r.ours.cpuMsPerRecord?.["dynamodb"], 3)} | ${num(r.ours.peakRssMb)} | |`,
      `| ${r.regime} | Flink peer | ${num(f.rate)} | ${num(f.cpuMsPerRecord["flink"], 3)} | ` +
        `${num(f.cpuMsPerRecord["dynamodb"], 3)} | ${num(f.peakRssMb)} | ` +
        `${num(f.startupSeconds, 1)} s, ${num(f.startupCpuMs / 1000, 1)} CPU-s (not counted) |`,
    );
  }
  if (replay !== undefined) {
    const rows = (v: { flink: Verdict; ours: Verdict }, ordered: Verdict) =>
      (
        [
          ["B-ours", v.ours],
          ["Flink peer", v.flink],
          ["(any unconditional writer that keeps key order, computed)", ordered],
        ] as const
      ).map(([name, x]) => `| ${name} | ${x.current} | ${x.regressed} | ${x.resurrected} | ${x.lost} |`);
    const head = [
      "| sink | rows current | regressed | resurrected | lost |",
      "| --- | ---: | ---: | ---: | ---: |",
    ];
    lines.push(
      "",
      `Replay, ${replay.keys} keys. First pass: the stream as written (${replay.records - replay.resent} ` +
        `messages, with its own stale replays), each sink from the beginning to the end:`,
      "",
      ...head,
      ...rows(replay.stream, replay.ordered.stream),
      "",
      `Second pass: its first ${replay.resent} records sent again (as Debezium re-sends after a restart ` +
        `from an older offset), each sink from the beginning to the end:`,
      "",
      ...head,
      ...rows(replay, replay.ordered.replay),
      "",
      `Items equal in both tables after the first pass where both hold the same version (all but ` +
        `_cdc_written_at and _cdc_offset): ${replay.identical} of ${replay.sameVersion}.`,
    );
  }
  return lines.join("\n");
}
