// Rebalance-storm detection (src/engine/rebalance-storm.ts), on a clock of the test's own.

import assert from "node:assert/strict";
import { test } from "node:test";
import { RebalanceStorm } from "../../../src/engine/rebalance-storm.ts";

test("more than the threshold within the window is a storm; it ends as rebalances leave the window", () => {
  let now = 1_000_000;
  const storm = new RebalanceStorm({ threshold: 3, windowMs: 60_000, now: () => now });
  for (let i = 0; i < 3; i++) {
    assert.equal(storm.record(), false);
    now += 10_000;
  }
  assert.equal(storm.inStorm, false); // exactly the threshold: not more than it
  assert.equal(storm.reason(), undefined);
  assert.equal(storm.record(), true); // the fourth within 60 s starts it, once
  assert.equal(storm.inStorm, true);
  assert.equal(storm.record(), false); // already in it
  assert.equal(storm.count, 5);
  assert.equal(
    storm.reason(),
    "rebalance storm: 5 rebalances in the last 60 s (more than REBALANCE_STORM_THRESHOLD=3)",
  );
  now += 41_000; // at 71 s the first two (at 0 and 10 s) have left the window
  assert.equal(storm.count, 3);
  assert.equal(storm.inStorm, false);
  now += 60_000;
  assert.equal(storm.count, 0);
});

test("rebalances spread wider than the window never make a storm", () => {
  let now = 0;
  const storm = new RebalanceStorm({ threshold: 2, windowMs: 1_000, now: () => now });
  for (let i = 0; i < 50; i++) {
    assert.equal(storm.record(), false);
    now += 501; // at most two inside any window of 1 s
  }
  assert.equal(storm.inStorm, false);
});
