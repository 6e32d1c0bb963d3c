import type { Scenario } from "../scenario.ts";
import { sleep } from "../scenario.ts";
import { standardFill } from "./common.ts";

export const zombie: Scenario = {
  title: "zombie",
  limitMs: { ci: 240_000, nightly: 900_000 },
  async run(h) {
    await standardFill(h, { scale: 3, seed: 6 });
    const env = { MAX_IN_FLIGHT: "4" };
    const zombie = h.consumer(env);
    h.consumer(env);
    await h.recoveryMs(60_000); // both are working
    zombie.proc.child.kill("SIGSTOP");
    await sleep(14_000); // past the 10 s session timeout: the group moves its partitions away
    zombie.proc.child.kill("SIGCONT");
    await h.waitCaughtUp(180_000);
    // The zombie either rejoined (still running) or exited on its own; it must not have crashed loudly.
    const state = zombie.stopped === undefined ? "rejoined" : `exited ${zombie.stopped.code}`;
    return {
      faults: "SIGSTOP 14 s past the session timeout, then SIGCONT",
      checks: [[`the zombie ${state}`, zombie.stopped === undefined || zombie.stopped.code !== null]],
    };
  },
};
