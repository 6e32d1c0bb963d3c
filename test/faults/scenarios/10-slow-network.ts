// Scenario 10, slow Kafka network: two consumers reach the broker only through a TCP fault proxy
// (the stack's proxied listener advertises the proxy's port, so bootstrap and broker connections
// alike pass through it). Phases: latency with jitter, then a black hole, then connection resets,
// then (in a network namespace of its own, where iptables is available) a partition, then normal.
// Latency alone must not cost a rebalance: the group's generation or, under KIP-848, its epoch (from
// the broker's group coordinator log), its members, and the sinks' join lines must stay as they were.

import { logFile } from "../../../tools/stack/state.ts";
import { groupProgress } from "../../support/kafka-progress.ts";
import { waitFor } from "../../support/wait.ts";
import { readSince, rebalancesInLog, tcpPeers } from "../net/evidence.ts";
import { netnsStatus, partition } from "../net/netns.ts";
import { TcpProxy } from "../net/tcp-proxy.ts";
import type { Consumer, Harness } from "../harness.ts";
import type { Scenario } from "../scenario.ts";
import { memberView, type MemberView } from "../stall-report.ts";
import { standardFill } from "./common.ts";

const PHASES = {
  ci: {
    latencyMs: 20_000,
    blackholeMs: 6_000,
    resetsMs: 8_000,
    resetEveryMs: 2_000,
    partitionMs: 12_000,
    scale: 4,
  },
  nightly: {
    latencyMs: 90_000,
    blackholeMs: 15_000,
    resetsMs: 30_000,
    resetEveryMs: 3_000,
    partitionMs: 40_000,
    scale: 12,
  },
} as const;
const LATENCY = { minMs: 50, maxMs: 200 };

const joins = (c: Consumer): number => c.proc.output().split('"msg":"joined the consumer group"').length - 1;
const committedSum = async (h: Harness): Promise<bigint> =>
  [...(await groupProgress(h.endpoints.kafkaBrokers, h.group, h.topic)).values()].reduce(
    (n, [c]) => n + (c < 0n ? 0n : c),
    0n,
  );

const KIP848 = process.env["CDC_SINK_KAFKA_GROUP_PROTOCOL"] === "consumer";

/**
 * The group as "state" and a fingerprint of its members. A classic group from the coordinator
 * (DescribeGroups: state and member ids). A KIP-848 group is not a classic group and kafkajs cannot
 * describe it (ConsumerGroupDescribe), so from the members themselves (/debug/state): "Stable" when
 * every one is joined and not mid-rebalance, and the fingerprint is each one's assignment — a
 * rebalance that moved nothing would not show, which the coordinator log's epoch bumps do.
 */
async function members(
  h: Harness,
  consumers: readonly Consumer[],
): Promise<{ state: string; ids: string; count: number }> {
  if (KIP848) {
    const views = await Promise.all(consumers.map((c) => memberView(c)));
    const holding = (v: MemberView | undefined): boolean =>
      v?.ready === true && Object.values(v.assignment).some((ps) => ps.length > 0);
    return {
      state: views.every(holding) ? "Stable" : "not ready",
      ids: views.map((v) => JSON.stringify(v?.assignment ?? null)).join(" "),
      count: views.filter(holding).length,
    };
  }
  const { groups } = await h.admin.describeGroups([h.group]);
  const g = groups[0];
  return {
    state: g?.state ?? "?",
    ids: (g?.members ?? [])
      .map((m) => m.memberId)
      .sort()
      .join(","),
    count: g?.members.length ?? 0,
  };
}

export const slowNetwork: Scenario = {
  title: "slow-kafka-network",
  privateStack: true,
  listeners: { kafkaProxied: true },
  netns: true,
  limitMs: { ci: 300_000, nightly: 1_200_000 },
  async run(h) {
    const phases = PHASES[h.size];
    const proxied = h.endpoints.kafkaProxied;
    if (proxied === undefined) throw new Error("the private stack has no proxied listener");
    const proxyPort = Number(proxied.brokers.split(":")[1]);
    const proxy = await TcpProxy.start(proxied.upstream, proxyPort);
    try {
      await standardFill(h, { scale: phases.scale, seed: 10 });
      // Small buffers and few writes in flight: many fetch round trips, so the network matters.
      const env = { KAFKA_BROKERS: proxied.brokers, MAX_IN_FLIGHT: "2", MAX_BUFFERED_RECORDS: "200" };
      const consumers = [h.consumer(env), h.consumer(env)];
      await waitFor(
        async () =>
          (await members(h, consumers)).state === "Stable" &&
          (await members(h, consumers)).count === 2 &&
          consumers.every((c) => joins(c) > 0),
        {
          timeoutMs: 60_000,
          intervalMs: 250,
          message: "the two consumers did not form a stable group through the proxy",
        },
      );

      // Every Kafka connection of the sinks goes to the proxy: none straight to a broker port.
      const brokerPorts = new Set([h.endpoints.kafkaBrokers, proxied.upstream]);
      const peers = consumers.flatMap((c) => tcpPeers(c.proc.child.pid!));
      const bypass = peers.filter((p) => brokerPorts.has(p));
      const viaProxy = peers.filter((p) => p === proxied.brokers).length;

      // Phase 1: latency. Marks taken while the group is stable; compared when the phase ends.
      const brokerLog = logFile(h.stackDir, "kafka");
      let mark = readSince(brokerLog, 0).mark;
      const before = {
        members: await members(h, consumers),
        joins: consumers.map(joins),
        committed: await committedSum(h),
      };
      const samples: string[] = [];
      const sampler = setInterval(
        () =>
          void members(h, consumers).then(
            (m) => samples.push(`${m.state}:${m.ids}`),
            () => undefined,
          ),
        1_000,
      );
      await proxy.latency(LATENCY.minMs, LATENCY.maxMs, phases.latencyMs);
      clearInterval(sampler);
      const duringLatency = readSince(brokerLog, mark);
      mark = duringLatency.mark;
      const rebalancesDuringLatency = rebalancesInLog(duringLatency.text, h.group);
      const after = {
        members: await members(h, consumers),
        joins: consumers.map(joins),
        committed: await committedSum(h),
      };
      const unchangedSamples = samples.every((s) => s === `Stable:${before.members.ids}`);

      // Phase 2: a black hole (no byte moves, connections held), then phase 3: resets, then normal.
      await proxy.blackhole(phases.blackholeMs);
      const afterBlackhole = rebalancesInLog(readSince(brokerLog, mark).text, h.group).length;
      await proxy.resets(phases.resetEveryMs, phases.resetsMs);
      // Phase 4, where the scenario has a network namespace of its own: iptables drops every segment
      // to and from the proxy's port, longer than the session timeout, so the members are expired
      // by the coordinator and must rejoin once the partition heals.
      const ns = netnsStatus();
      let partitioned = `iptables partition skipped (${ns.note})`;
      if (ns.own) {
        const since = readSince(brokerLog, 0).mark;
        await partition(proxyPort, phases.partitionMs);
        await h.recoveryMs(120_000);
        const seen = rebalancesInLog(readSince(brokerLog, since).text, h.group);
        const reasons = seen
          .filter((r) => r.kind === "preparing")
          .map((r) => r.reason.replace(/ cdc-dynamodb-sink-\S+/g, ""));
        partitioned =
          `iptables partition of the proxy port for ${phases.partitionMs / 1000} s in the scenario's own ` +
          `network namespace (coordinator: ${reasons.join("; ") || "no rebalance"})`;
      }
      await h.waitCaughtUp(180_000);
      const alive = consumers.every((c) => c.stopped === undefined);
      const later = rebalancesInLog(readSince(brokerLog, mark).text, h.group);
      const generations = later.filter((r) => r.kind === "stabilized").map((r) => r.generation);

      for (const c of consumers) await h.stop(c);
      const s = proxy.stats;
      return {
        faults:
          `latency ${LATENCY.minMs}-${LATENCY.maxMs} ms per chunk for ${phases.latencyMs / 1000} s ` +
          `(${s.delayedChunks} chunks delayed, max ${s.maxDelayMs} ms; ` +
          `${after.committed - before.committed} offsets committed meanwhile; rebalances ` +
          `${rebalancesDuringLatency.length}, joins ` +
          `${after.joins.map((n, i) => n - before.joins[i]!).join("+")}), ` +
          `black hole ${phases.blackholeMs / 1000} s (${s.stalledConnections} connections stalled; ` +
          `${afterBlackhole} coordinator rebalance lines), ` +
          `resets every ${phases.resetEveryMs / 1000} s for ${phases.resetsMs / 1000} s (${s.resets} ` +
          `connections reset; generations after: ${generations.join(",") || "none"}); ${partitioned}; ` +
          `${s.connections} proxied connections; consumed per consumer ` +
          `${consumers.map((c) => c.summary?.consumed ?? "?").join("+")}`,
        checks: [
          [
            `all Kafka connections through the proxy (${viaProxy} via proxy, ${bypass.length} bypassing)`,
            viaProxy >= 2 && bypass.length === 0,
          ],
          [
            `no rebalance from latency alone (coordinator: ` +
              `${
                rebalancesDuringLatency.map((r) => `${r.kind} ${r.generation} ${r.reason}`).join("; ") ||
                "none"
              })`,
            rebalancesDuringLatency.length === 0,
          ],
          [
            "same members, Stable throughout the latency phase",
            before.members.ids === after.members.ids && after.members.state === "Stable" && unchangedSamples,
          ],
          ["no consumer re-joined during latency", after.joins.every((n, i) => n === before.joins[i])],
          [
            `work went on under latency (${after.committed - before.committed} offsets)`,
            after.committed > before.committed,
          ],
          ["both consumers survived the black hole and the resets", alive],
          [`connections were reset (${s.resets})`, s.resets > 0],
        ],
      };
    } finally {
      await proxy.close();
    }
  },
};
