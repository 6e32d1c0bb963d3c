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
    // Recovery: the killed member's partitions move again within the session timeout (10 s) + 30 s.
    const recovery = await h.recoveryMs(40_000, { exact: true });
    await h.waitCaughtUp(180_000);
    return {
      faults: `${bounces} SIGKILL`,
      checks: [
        [`every partition progressed ${recovery} ms after the last kill (limit 40 s)`, recovery <= 40_000],
      ],
    };
  },
};
