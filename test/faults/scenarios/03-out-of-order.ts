import type { Scenario } from "../scenario.ts";
import { SIZES } from "../scenario.ts";
import { standardFill } from "./common.ts";

export const outOfOrder: Scenario = {
  title: "out-of-order",
  limitMs: { ci: 150_000, nightly: 900_000 },
  async run(h) {
    // After the stream, a third of it again in random order: older versions arriving late.
    const s = SIZES[h.size];
    await standardFill(h, { replays: Math.round((s.keys * s.changesPerKey) / 3), seed: 3 });
    h.consumer();
    h.consumer();
    await h.waitCaughtUp(180_000);
    return {
      faults: `${Math.round((s.keys * s.changesPerKey) / 3)} older records re-produced after newer ones`,
    };
  },
};
