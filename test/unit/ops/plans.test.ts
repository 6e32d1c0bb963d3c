import assert from "node:assert/strict";
import { test } from "node:test";
import { firstUncommitted, lagReport, lagRows } from "../../../src/ops/lag.ts";
import { planTopic, refusal } from "../../../src/ops/offsets.ts";
import { OpsInputError } from "../../../src/ops/context.ts";
import { timeArg } from "../../../src/ops/args.ts";

const ends = [
  { partition: 0, low: "0", high: "10" },
  { partition: 1, low: "5", high: "8" },
  { partition: 2, low: "0", high: "0" },
];

test("lag is end minus committed; without a commit, end minus the log start", () => {
  const rows = lagRows(
    "t",
    ends,
    new Map([
      [0, "4"],
      [1, "-1"],
    ]),
  );
  assert.deepEqual(
    rows.map((r) => [r.partition, r.committed, r.lag]),
    [
      [0, "4", "6"],
      [1, null, "3"],
      [2, null, "0"],
    ],
  );
  assert.equal(firstUncommitted(rows[0]!), "4");
  assert.equal(firstUncommitted(rows[1]!), "5");
  assert.equal(firstUncommitted(rows[2]!), undefined);
  assert.equal(lagReport("g", { state: "Empty", members: [] }, rows).totalLag, "9");
});

test("a commit below the log start (retention deleted records) counts from the log start", () => {
  const [row] = lagRows("t", [{ partition: 0, low: "50", high: "60" }], new Map([[0, "20"]]));
  assert.equal(row!.lag, "10");
});

test("reset plans: earliest, latest, time, and one partition's offset", () => {
  const committed = new Map([
    [0, "9"],
    [1, "6"],
  ]);
  const early = planTopic("t", { kind: "earliest" }, ends, committed);
  assert.deepEqual(
    early.map((r) => [r.target, r.replays]),
    [
      ["0", "9"],
      ["5", "1"],
      ["0", "0"],
    ],
  );
  const late = planTopic("t", { kind: "latest" }, ends, committed);
  assert.deepEqual(
    late.map((r) => r.replays),
    ["-1", "-2", "0"],
  );
  const byTime = new Map([
    [0, "3"],
    [1, "8"],
    [2, "0"],
  ]);
  const timed = planTopic("t", { kind: "time", ms: 1 }, ends, committed, byTime);
  assert.deepEqual(
    timed.map((r) => r.target),
    ["3", "8", "0"],
  );
  const one = planTopic("t", { kind: "offset", offset: "7", partition: 1 }, ends, committed);
  assert.deepEqual(
    one.map((r) => [r.partition, r.target]),
    [[1, "7"]],
  );
});

test("an offset outside the log is refused, not clamped", () => {
  assert.throws(
    () => planTopic("t", { kind: "offset", offset: "4", partition: 1 }, ends, new Map()),
    OpsInputError,
  );
  assert.throws(
    () => planTopic("t", { kind: "offset", offset: "1", partition: 9 }, ends, new Map()),
    OpsInputError,
  );
});

test("a group with members refuses the reset and names them; an empty one does not", () => {
  assert.equal(refusal("g", { state: "Empty", members: [] }), undefined);
  const why = refusal("g", {
    state: "Stable",
    members: [{ memberId: "m", clientId: "sink", clientHost: "/10.0.0.1" }],
  });
  assert.match(why ?? "", /1 member\(s\) \(Stable: sink@\/10\.0\.0\.1\)/);
});

test("times: ISO-8601 or epoch milliseconds; anything else is refused", () => {
  assert.equal(timeArg("2026-12-01T14:00:00Z", "to-time"), Date.UTC(2026, 11, 1, 14));
  assert.equal(timeArg("1700000000000", "to-time"), 1_700_000_000_000);
  assert.throws(() => timeArg("yesterday", "to-time"), OpsInputError);
});
