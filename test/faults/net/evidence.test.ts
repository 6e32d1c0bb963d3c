// The evidence readers: the coordinator's generation history from Kafka's log, and a process's
// TCP peers from /proc.

import assert from "node:assert/strict";
import { connect, createServer, type AddressInfo } from "node:net";
import { test } from "node:test";
import { rebalancesInLog, tcpPeers } from "./evidence.ts";

// Four lines of a real broker log (Kafka 3.9.1), joined with newlines.
const LOG = [
  "[2026-11-22 10:51:06,824] INFO [GroupCoordinator 1]: Preparing to rebalance group g.1 in " +
    "state PreparingRebalance with old generation 0 (__consumer_offsets-32) (reason: Adding " +
    "new member m-1 with group instance id None; client reason: not provided) " +
    "(kafka.coordinator.group.GroupCoordinator)",
  "[2026-11-22 10:51:06,952] INFO [GroupCoordinator 1]: Stabilized group g.1 generation 1 " +
    "(__consumer_offsets-32) with 1 members (kafka.coordinator.group.GroupCoordinator)",
  "[2026-11-22 10:51:07,001] INFO [GroupCoordinator 1]: Stabilized group g.10 generation 7 " +
    "(__consumer_offsets-3) with 2 members (kafka.coordinator.group.GroupCoordinator)",
  "[2026-11-22 10:51:13,068] INFO [GroupCoordinator 1]: Preparing to rebalance group gx1 in " +
    "state PreparingRebalance with old generation 1 (__consumer_offsets-32) (reason: Removing " +
    "member m-1 on LeaveGroup; client reason: not provided) " +
    "(kafka.coordinator.group.GroupCoordinator)",
].join("\n");

void test("evidence: the group's rebalances from the coordinator log, that group only", () => {
  assert.deepEqual(rebalancesInLog(LOG, "g.1"), [
    {
      at: "2026-11-22 10:51:06,824",
      generation: 0,
      kind: "preparing",
      reason: "Adding new member m-1 with group instance id None; client reason: not provided",
    },
    { at: "2026-11-22 10:51:06,952", generation: 1, kind: "stabilized", reason: "" },
  ]);
  assert.deepEqual(rebalancesInLog(LOG, "nope"), []);
});

// Two lines of a real Kafka 4.4.0 broker log: the new group coordinator (GroupMetadataManager) runs
// classic groups and logs their rebalances in the same words.
const LOG_4 = [
  "[2026-12-02 12:51:08,239] INFO [GroupCoordinator id=1 topic=__consumer_offsets partition=11] " +
    "Preparing to rebalance group g.4 in state PreparingRebalance with old generation 1 (reason: " +
    "Leader m-2 re-joining group during Stable; client reason: not provided). " +
    "(org.apache.kafka.coordinator.group.GroupMetadataManager)",
  "[2026-12-02 12:51:08,239] INFO [GroupCoordinator id=1 topic=__consumer_offsets partition=11] " +
    "Stabilized group g.4 generation 2 with 1 members. (org.apache.kafka.coordinator.group.GroupMetadataManager)",
].join("\n");

void test("evidence: Kafka 4's group coordinator logs classic rebalances the same way", () => {
  assert.deepEqual(rebalancesInLog(LOG_4, "g.4"), [
    {
      at: "2026-12-02 12:51:08,239",
      generation: 1,
      kind: "preparing",
      reason: "Leader m-2 re-joining group during Stable; client reason: not provided",
    },
    { at: "2026-12-02 12:51:08,239", generation: 2, kind: "stabilized", reason: "" },
  ]);
});

// Lines of a real Kafka 4.4.0 broker log for a KIP-848 group (group.protocol=consumer): no
// generations, a group epoch bumped by each member change, then a new target assignment.
const LOG_848 = [
  "[2026-12-03 09:00:58,566] INFO [GroupCoordinator id=1 topic=__consumer_offsets partition=20] " +
    "[GroupId g.8] Member XIEukH1vRgy1CsFMEy2/Rw joins the consumer group using the consumer protocol. " +
    "(org.apache.kafka.coordinator.group.GroupMetadataManager)",
  "[2026-12-03 09:00:58,566] INFO [GroupCoordinator id=1 topic=__consumer_offsets partition=20] " +
    "[GroupId g.8] Bumped group epoch to 2 with metadata hash -1667216700987224058. " +
    "(org.apache.kafka.coordinator.group.GroupMetadataManager)",
  "[2026-12-03 09:00:58,566] INFO [GroupCoordinator id=1 topic=__consumer_offsets partition=20] " +
    "[GroupId g.8] Computed a new target assignment for epoch 2 with 'uniform' assignor in 0ms. " +
    "(org.apache.kafka.coordinator.group.GroupMetadataManager)",
  "[2026-12-03 09:00:58,412] INFO [GroupCoordinator id=1 topic=__consumer_offsets partition=4] " +
    "[GroupId g.80] Member ujiCCKO9TdSrMrdUchfhFQ left the consumer group. " +
    "(org.apache.kafka.coordinator.group.GroupMetadataManager)",
  "[2026-12-03 09:00:58,412] INFO [GroupCoordinator id=1 topic=__consumer_offsets partition=4] " +
    "[GroupId g.80] Bumped group epoch to 3 with metadata hash 0. " +
    "(org.apache.kafka.coordinator.group.GroupMetadataManager)",
].join("\n");

void test("evidence: a KIP-848 group's epoch bumps are its rebalances, with the member change as reason", () => {
  assert.deepEqual(rebalancesInLog(LOG_848, "g.8"), [
    {
      at: "2026-12-03 09:00:58,566",
      generation: 1,
      kind: "preparing",
      reason: "Member XIEukH1vRgy1CsFMEy2/Rw joins the consumer group using the consumer protocol",
    },
    { at: "2026-12-03 09:00:58,566", generation: 2, kind: "stabilized", reason: "" },
  ]);
  assert.deepEqual(rebalancesInLog(LOG_848, "g.80"), [
    {
      at: "2026-12-03 09:00:58,412",
      generation: 2,
      kind: "preparing",
      reason: "Member ujiCCKO9TdSrMrdUchfhFQ left the consumer group",
    },
  ]);
});

void test("evidence: tcpPeers lists this process's established loopback connection", async () => {
  const server = createServer((s) => s.on("error", () => undefined));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const client = connect({ host: "127.0.0.1", port });
  await new Promise<void>((resolve) => client.once("connect", resolve));
  try {
    assert.ok(tcpPeers(process.pid).includes(`127.0.0.1:${port}`));
  } finally {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
