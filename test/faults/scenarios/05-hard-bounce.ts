import type { Consumer } from "../harness.ts";
import type { Scenario } from "../scenario.ts";
import { SIZES, between, sleep } from "../scenario.ts";
import { standardFill } from "./common.ts";

export const hardBounce: Scenario = {
  title: "hard-bounce",
  limitMs: { ci: 300_000, nightly: 1_800_000 },
  async run(h) {
    await standardFill(h, { scale: 3, seed: 5 });
    const env = { MAX_IN_FLIGHT: "4" };
    const members: Consumer[] = [h.consumer(env), h.consumer(env), h.consumer(env)];
    const bounces = SIZES[h.size].bounces;
    for (let i = 0; i < bounces; i++) {
      await sleep(h.size === "ci" ? between(2000, 4000) : between(10_000, 20_000));
      const slot = between(0, members.length);
      await h.stop(members[slot]!, "SIGKILL");
      members[slot] = h.consumer(env);
    }
    // Recovery: the killed member's partitions move again within the session timeout + 30 s. The
    // harness's members run with a 10 s session timeout; under KIP-848 (KAFKA_GROUP_PROTOCOL=consumer)
    // the broker sets it instead: the group config consumer.session.timeout.ms, 45 s by default in
    // Kafka 4, and no lower than the broker's group.consumer.min.session.timeout.ms (also 45 s).
    const kip848 = process.env["CDC_SINK_KAFKA_GROUP_PROTOCOL"] === "consumer";
    const limitMs = (kip848 ? 45_000 : 10_000) + 30_000;
    const recovery = await h.recoveryMs(limitMs, { exact: true });
    await h.waitCaughtUp(180_000);
    return {
      faults: `${bounces} SIGKILL`,
      checks: [
        [
          `every partition progressed ${recovery} ms after the last kill (limit ${limitMs / 1000} s)`,
          recovery <= limitMs,
        ],
      ],
    };
  },
};
