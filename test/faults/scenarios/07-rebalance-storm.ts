import type { Consumer } from "../harness.ts";
import type { Scenario } from "../scenario.ts";
import { between, sleep } from "../scenario.ts";
import { standardFill } from "./common.ts";
import { waitFor } from "../../support/wait.ts";
import { memberView } from "../stall-report.ts";

export const rebalanceStorm: Scenario = {
  title: "rebalance-storm",
  limitMs: { ci: 300_000, nightly: 1_800_000 },
  async run(h) {
    await standardFill(h, { scale: 4, seed: 7 });
    const env = { MAX_IN_FLIGHT: "4" };
    const members: Consumer[] = [h.consumer(env), h.consumer(env)];
    const until = Date.now() + (h.size === "ci" ? 25_000 : 300_000);
    let changes = 0;
    while (Date.now() < until) {
      await sleep(between(1500, 3500));
      if (members.length <= 1 || (members.length < 4 && Math.random() < 0.5)) members.push(h.consumer(env));
      else await h.stop(members.splice(between(0, members.length), 1)[0]!, "SIGTERM");
      changes++;
    }
    await h.waitCaughtUp(180_000);
    // After settling, each partition is owned by exactly one member: read from the members themselves
    // (/debug/state), which works for both group protocols; a KIP-848 group never shows "Stable" to
    // kafkajs's classic DescribeGroups.
    const partitions = (await h.admin.fetchTopicOffsets(h.topic)).length;
    const owners = await waitFor(
      async () => {
        const views = await Promise.all(h.running().map((c) => memberView(c)));
        if (views.length === 0 || views.some((v) => v === undefined || !v.ready)) return undefined;
        const counts = new Map<number, number>();
        for (const v of views)
          for (const p of v!.assignment[h.topic] ?? []) counts.set(p, (counts.get(p) ?? 0) + 1);
        // Every partition held by someone: the group has settled (a partition held twice still fails below).
        return counts.size === partitions ? counts : undefined;
      },
      { timeoutMs: h.scaled(60_000), message: "the group did not settle" },
    );
    const once = owners.size === partitions && [...owners.values()].every((n) => n === 1);
    return {
      faults: `${changes} joins/leaves`,
      checks: [[`each of ${partitions} partitions owned once after settling`, once]],
    };
  },
};
