import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import {
  cpuMsOf,
  longestGap,
  parseProcStat,
  spread,
  stallAfter,
  statusMb,
} from "../../../bench/clients/measure.ts";

// A real line (Node with librdkafka loaded), with a command name that holds ") " to trip a split.
const STAT =
  "4242 (node (x) y) S 4200 4242 4200 0 -1 4194560 51234 0 12 0 1234 567 0 0 20 0 17 0 98765 " +
  "1234567890 54321 18446744073709551615 1 1 0 0 0 0 0 16781312 134234626 0 0 0 17 1 0 0 0 0 0\n";

describe("bench clients: /proc parsing", () => {
  it("reads utime, stime and the thread count after the command name", () => {
    const stat = parseProcStat(STAT);
    assert.deepEqual(stat, { utimeTicks: 1234, stimeTicks: 567, threads: 17 });
    assert.equal(cpuMsOf(stat), 18_010);
  });
  it("refuses text that is not a stat line", () => {
    assert.throws(() => parseProcStat("nothing here"), /not a \/proc/);
    assert.throws(() => parseProcStat("1 (a) S 2 3"), /no field 14/);
  });
  it("reads VmHWM and VmRSS in MB", () => {
    const status = "Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n";
    assert.equal(statusMb(status, "VmHWM"), 200);
    assert.equal(statusMb(status, "VmRSS"), 100);
    assert.throws(() => statusMb(status, "VmSwap"), /no VmSwap/);
  });
});

describe("bench clients: stall from completion times", () => {
  const steady = (from: number, to: number, every: number): number[] =>
    Array.from({ length: Math.floor((to - from) / every) + 1 }, (_, i) => from + i * every);

  it("is the longest gap after the event, counted from the last completion before it", () => {
    // Completions every 10 ms until 1 000, nothing until 3 500, then every 10 ms again.
    const times = [...steady(0, 1000, 10), ...steady(3500, 6000, 10)];
    assert.equal(stallAfter(times, 1200, 4000), 2500);
    // The event right at a completion: the gap still runs from it.
    assert.equal(stallAfter(times, 1000, 4000), 2500);
  });
  it("is the pacing interval when consumption goes on", () => {
    const times = steady(0, 10_000, 20);
    assert.equal(stallAfter(times, 5005, 3000), 20);
  });
  it("runs to the horizon when nothing completes after the event", () => {
    assert.equal(stallAfter([100, 200, 300], 1000, 5000), 5700);
    assert.equal(stallAfter([], 1000, 5000), 5000);
  });
  it("does not care about the order of the times", () => {
    const times = [3500, 10, 1000, 3510, 990, 4000];
    assert.equal(stallAfter(times, 1200, 2800), 2500);
  });
  it("longestGap is the noise floor over a quiet window", () => {
    assert.equal(longestGap([0, 10, 50, 60, 200], 0, 100), 40);
    assert.equal(longestGap([5], 0, 100), 0);
  });
});

describe("bench clients: spread of repeats", () => {
  it("gives the median and range, leaving NaN out", () => {
    assert.deepEqual(spread([3, 1, 2]), { median: 2, min: 1, max: 3, n: 3 });
    assert.deepEqual(spread([4, NaN, 1]), { median: 2.5, min: 1, max: 4, n: 2 });
    assert.equal(spread([]).n, 0);
  });
});
