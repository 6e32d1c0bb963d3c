import { killPart, startPart } from "../../../tools/stack/index.ts";
import type { Scenario } from "../scenario.ts";
import { sleep } from "../scenario.ts";
import { standardFill } from "./common.ts";

export const brokerDown: Scenario = {
  title: "broker-down",
  privateStack: true,
  limitMs: { ci: 360_000, nightly: 1_800_000 },
  async run(h) {
    await standardFill(h, { scale: 4, seed: 8 });
    const env = { MAX_IN_FLIGHT: "2" };
    const members = [h.consumer(env), h.consumer(env)];
    await h.recoveryMs(60_000);
    const times = h.size === "ci" ? 2 : 5;
    const downMs = h.size === "ci" ? 8_000 : 20_000;
    for (let i = 0; i < times; i++) {
      await killPart(h.stackDir, "kafka", "SIGKILL");
      await sleep(downMs);
      await startPart(h.stackDir, "kafka");
      await h.recoveryMs(120_000);
    }
    await h.waitCaughtUp(240_000);
    const alive = members.every((m) => m.stopped === undefined);
    return {
      faults: `broker SIGKILLed ${times}× for ${downMs / 1000} s`,
      checks: [["consumers resumed, none crashed for good", alive]],
    };
  },
};
