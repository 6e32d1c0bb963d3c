import { fileURLToPath } from "node:url";
import type { Scenario } from "../scenario.ts";
import { standardFill } from "./common.ts";

const preload = fileURLToPath(new URL("../inject/kafka-errors.ts", import.meta.url));

export const kafkaErrors: Scenario = {
  title: "kafka-errors",
  limitMs: { ci: 240_000, nightly: 1_200_000 },
  async run(h) {
    await standardFill(h, { scale: 2, seed: 9 });
    const env = {
      INJECT_COMMIT_FAILURE_RATE: "0.3",
      INJECT_HEARTBEAT_FAILURE_RATE: "0.05",
      MAX_IN_FLIGHT: "8",
    };
    const members = [h.consumer(env, ["--import", preload]), h.consumer(env, ["--import", preload])];
    await h.waitCaughtUp(180_000);
    for (const m of members) await h.stop(m);
    const injected = members
      .map((m) => /"injected":(\{[^}]*\})/.exec(m.proc.output())?.[1] ?? "{}")
      .map((j) => JSON.parse(j) as { commit: number; heartbeat: number });
    const commits = injected.reduce((n, i) => n + i.commit, 0);
    const heartbeats = injected.reduce((n, i) => n + i.heartbeat, 0);
    return {
      faults:
        `${commits} commits and ${heartbeats} heartbeats failed with rebalance/unknown-member errors` +
        (process.env["CDC_SINK_KAFKA_CLIENT"] === "confluent"
          ? " (confluent: heartbeats are librdkafka's, not injected)"
          : ""),
      checks: [
        ["commit failures were injected", commits > 0],
        ["commits were redone: the group caught up", true],
      ],
    };
  },
};
