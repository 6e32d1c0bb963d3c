import type { Consumer } from "../harness.ts";
import type { Scenario } from "../scenario.ts";
import { SIZES, between, sleep } from "../scenario.ts";
import { standardFill } from "./common.ts";

export const cleanBounce: Scenario = {
  title: "clean-bounce",
  limitMs: { ci: 240_000, nightly: 1_800_000 },
  async run(h) {
    await standardFill(h, { scale: 3, seed: 4 });
    const slow = { MAX_IN_FLIGHT: "4" }; // keeps the stream going while the bounces happen
    const members: Consumer[] = [h.consumer(slow), h.consumer(slow), h.consumer(slow)];
    const bounces = SIZES[h.size].bounces;
    let exits0 = 0;
    for (let i = 0; i < bounces; i++) {
      await sleep(h.size === "ci" ? between(1500, 3000) : between(10_000, 20_000));
      const slot = i % members.length;
      const r = await h.stop(members[slot]!, "SIGTERM");
      if (r.code === 0) exits0++;
      members[slot] = h.consumer(slow);
    }
    await h.waitCaughtUp(180_000);
    return {
      faults: `${bounces} SIGTERM bounces`,
      checks: [[`every bounced member exited 0 (${exits0}/${bounces})`, exits0 === bounces]],
    };
  },
};
