import assert from "node:assert/strict";
import { test } from "node:test";
import { Lease, Leases } from "../../../src/engine/lease.ts";
import type { Flow } from "../../../src/engine/ports.ts";

function recordingFlow(): Flow & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    pause: (t, p) => calls.push(`pause ${t}/${p}`),
    resume: (t, p) => calls.push(`resume ${t}/${p}`),
  };
}

test("a lease is named topic/partition and starts clean", () => {
  const lease = new Lease("orders", 3);
  assert.equal(lease.key, "orders/3");
  assert.equal(lease.topic, "orders");
  assert.equal(lease.partition, 3);
  assert.equal(lease.revoked, false);
  assert.equal(lease.retrying, 0);
  assert.equal(lease.pausedForMemory, false);
  assert.equal(lease.committed, undefined);
  assert.equal(lease.watermark.committable(), undefined);
});

test("assign gives one fresh lease per assigned partition and revokes every earlier one", () => {
  const leases = new Leases();
  const first = leases.assign({ a: [0, 1], b: [2] });
  assert.deepEqual(
    first.map((l) => l.key),
    ["a/0", "a/1", "b/2"],
  );
  assert.equal(leases.get("a", 1), first[1]);
  assert.equal(leases.get("b", 2), first[2]);
  assert.equal(leases.get("b", 0), undefined);
  assert.equal(leases.get("c", 0), undefined);
  first[0]!.watermark.register("7");

  const second = leases.assign({ a: [0], c: [] });
  assert.deepEqual(
    second.map((l) => l.key),
    ["a/0"],
  );
  assert.ok(
    first.every((l) => l.revoked),
    "every lease of the earlier generation is revoked",
  );
  assert.equal(second[0]!.revoked, false);
  assert.notEqual(leases.get("a", 0), first[0]);
  assert.equal(leases.get("a", 0)!.watermark.committable(), undefined, "the new lease starts clean");
  assert.equal(leases.get("a", 1), undefined, "a partition no longer assigned has no lease");
  assert.deepEqual(
    [...leases.values()].map((l) => l.key),
    ["a/0"],
  );
});

test("revokeAll revokes every lease and forgets them", () => {
  const leases = new Leases();
  const held = leases.assign({ a: [0, 1] });
  leases.revokeAll();
  assert.ok(held.every((l) => l.revoked));
  assert.equal(leases.get("a", 0), undefined);
  assert.deepEqual([...leases.values()], []);
  assert.deepEqual(leases.commitPoints(), []);
});

test("incremental add keeps the leases held (and their watermarks); revoke ends only the named ones", () => {
  const leases = new Leases();
  const [a0, a1] = leases.assign({ a: [0, 1] });
  a0!.watermark.register("7");
  a0!.watermark.complete("7");
  const fresh = leases.add({ a: [1, 2], b: [0] });
  assert.deepEqual(
    fresh.map((l) => l.key),
    ["a/2", "b/0"],
    "a/1 was held: no second lease for it",
  );
  assert.equal(leases.get("a", 0), a0, "a/0 kept its lease");
  assert.equal(leases.get("a", 1), a1);
  assert.deepEqual(leases.commitPoints(), [{ topic: "a", partition: 0, offset: "8" }]);
  leases.revoke({ a: [0], c: [5] });
  assert.ok(a0!.revoked, "a revoked lease gets no further commits");
  assert.equal(leases.get("a", 0), undefined);
  assert.ok(!a1!.revoked);
  assert.deepEqual(
    [...leases.values()].map((l) => l.key),
    ["a/1", "a/2", "b/0"],
  );
  assert.deepEqual(leases.commitPoints(), [], "the revoked partition's progress is not committed");
});

test("commit points: each partition whose watermark moved since its last commit, once", () => {
  const leases = new Leases();
  const [a0, a1, b0] = leases.assign({ a: [0, 1], b: [0] });
  assert.deepEqual(leases.commitPoints(), [], "nothing registered, nothing to commit");
  a0!.watermark.register("10");
  a1!.watermark.register("4");
  a1!.watermark.complete("4");
  b0!.watermark.register("0");
  b0!.watermark.complete("0");
  const points = leases.commitPoints();
  assert.deepEqual(points, [
    { topic: "a", partition: 0, offset: "10" },
    { topic: "a", partition: 1, offset: "5" },
    { topic: "b", partition: 0, offset: "1" },
  ]);
  leases.markCommitted(points.slice(0, 2));
  assert.equal(a0!.committed, "10");
  assert.equal(a1!.committed, "5");
  assert.equal(b0!.committed, undefined);
  assert.deepEqual(leases.commitPoints(), [{ topic: "b", partition: 0, offset: "1" }]);
  a0!.watermark.complete("10");
  assert.deepEqual(leases.commitPoints(), [
    { topic: "a", partition: 0, offset: "11" },
    { topic: "b", partition: 0, offset: "1" },
  ]);
});

test("a commit point always carries an offset, even for a lease marked before it registered any", () => {
  const leases = new Leases();
  leases.assign({ a: [0] });
  leases.markCommitted([{ topic: "a", partition: 0, offset: "5" }]);
  assert.deepEqual(leases.commitPoints(), []);
});

test("markCommitted ignores partitions this member no longer holds", () => {
  const leases = new Leases();
  const [old] = leases.assign({ a: [0] });
  leases.assign({ b: [0] });
  leases.markCommitted([
    { topic: "a", partition: 0, offset: "9" },
    { topic: "b", partition: 0, offset: "3" },
  ]);
  assert.equal(old!.committed, undefined);
  assert.equal(leases.get("b", 0)!.committed, "3");
});

test("paused counts partitions waiting on retries or paused for memory, each once", () => {
  const leases = new Leases();
  const [a, b, c] = leases.assign({ t: [0, 1, 2] });
  assert.equal(leases.paused(), 0);
  a!.retrying = 2;
  assert.equal(leases.paused(), 1);
  b!.pausedForMemory = true;
  assert.equal(leases.paused(), 2);
  a!.pausedForMemory = true;
  assert.equal(leases.paused(), 2);
  c!.retrying = 1;
  assert.equal(leases.paused(), 3);
});

test("over the memory limit every partition pauses once; below it they resume unless retrying", () => {
  const leases = new Leases();
  const [a, b, c] = leases.assign({ t: [0, 1, 2] });
  const flow = recordingFlow();
  b!.pausedForMemory = true; // already paused: not paused again
  leases.pauseForMemory(flow);
  assert.deepEqual(flow.calls, ["pause t/0", "pause t/2"]);
  assert.ok([a, b, c].every((l) => l!.pausedForMemory));
  leases.pauseForMemory(flow);
  assert.equal(flow.calls.length, 2, "pausing again changes nothing");

  flow.calls.length = 0;
  c!.retrying = 1; // its retries resume it later
  leases.resumeAfterMemory(flow);
  assert.deepEqual(flow.calls, ["resume t/0", "resume t/1"]);
  assert.ok([a, b, c].every((l) => !l!.pausedForMemory));
  leases.resumeAfterMemory(flow);
  assert.equal(flow.calls.length, 2, "resuming again changes nothing");
});

test("stalledSince is the earliest stall among the partitions", (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: 10_000 });
  const leases = new Leases();
  const [a, b, c] = leases.assign({ t: [0, 1, 2] });
  assert.equal(leases.stalledSince(), undefined);
  t.mock.timers.tick(1000);
  b!.watermark.register("1");
  t.mock.timers.tick(1000);
  a!.watermark.register("1");
  c!.watermark.register("1");
  assert.equal(leases.stalledSince(), 11_000);
  b!.watermark.complete("1");
  assert.equal(leases.stalledSince(), 12_000);
});
