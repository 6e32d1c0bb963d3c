import assert from "node:assert/strict";
import { test } from "node:test";
import { ceilingGoals, ceilingTable } from "../../../../bench/ceiling/report.ts";
import type { CeilingResult } from "../../../../bench/ceiling/run.ts";

const arm = (...samples: [number, number, number][]) => ({
  samples: samples.map(([rate, cpuMsPerRecord, cpuMsPerWrite]) => ({ rate, cpuMsPerRecord, cpuMsPerWrite })),
});

const base: CeilingResult = {
  clientCore: "core 1 (taskset)",
  floor: arm([4000, 0.2, 0.2], [4200, 0.22, 0.22]),
  sdkLoop: arm([1200, 0.8, 0.8], [1100, 0.9, 0.9]),
  ours: arm([3000, 0.25, 0.27], [3100, 0.26, 0.29]),
  oursSdk: arm([1000, 0.9, 1.0], [1050, 0.95, 1.05]),
  naive: arm([500, 2, NaN], [520, 2.1, NaN]),
};

test("the ceiling table: medians with the spread, the ratio to B-floor per written record", () => {
  const t = ceilingTable(base);
  assert.match(
    t,
    /\| B-ours \| 3,050 \(3,000–3,100\) \| 0\.255 \(0\.250–0\.260\) \| 0\.280 \(0\.270–0\.290\) \| 1\.33 \|/,
  );
  assert.match(t, /\| B-naive \| 510 \(500–520\) \| 2\.050 \(2\.000–2\.100\) \| n\/a \| 9\.76 \|/);
  assert.doesNotMatch(t, /B-flink/);
});

test("with --peers the table has a B-flink row, per record since Flink writes every record", () => {
  const t = ceilingTable({ ...base, flink: arm([7000, 0.12, NaN], [7400, 0.13, NaN]) });
  assert.match(t, /\| B-flink \| 7,200 \(7,000–7,400\) \| 0\.125 \(0\.120–0\.130\) \| n\/a \| 0\.60 \|/);
});

test("G10 holds both the absolute CPU and the ratio, each failing on its own", () => {
  const [abs, ratio] = ceilingGoals(base);
  assert.equal(abs!.pass, true);
  assert.equal(abs!.value.toFixed(2), "0.28");
  assert.equal(ratio!.pass, false);
  assert.equal(ratio!.value.toFixed(2), "1.33");
  const slow = ceilingGoals({ ...base, floor: arm([1000, 0.3, 0.3]), ours: arm([900, 0.35, 0.35]) });
  assert.deepEqual(
    slow.map((g) => g.pass),
    [false, true],
  );
});
