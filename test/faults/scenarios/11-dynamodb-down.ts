import { killPart, startPart } from "../../../tools/stack/index.ts";
import type { Scenario } from "../scenario.ts";
import { sleep } from "../scenario.ts";
import { standardFill } from "./common.ts";

export const dynamodbDown: Scenario = {
  title: "dynamodb-down",
  privateStack: true,
  dynamodbPersistent: true,
  limitMs: { ci: 300_000, nightly: 1_200_000 },
  async run(h) {
    await standardFill(h, { scale: 3, seed: 11 });
    const env = { MAX_IN_FLIGHT: "4", DYNAMODB_REQUEST_TIMEOUT_MS: "1000" };
    const members = [h.consumer(env), h.consumer(env)];
    await h.recoveryMs(60_000);
    const downMs = h.size === "ci" ? 10_000 : 30_000;
    // Writes in flight at the kill may have landed without a reply: the retry then says duplicate.
    h.ambiguousWrites = true;
    await killPart(h.stackDir, "dynamodb", "SIGKILL");
    await sleep(downMs);
    await startPart(h.stackDir, "dynamodb");
    await h.waitCaughtUp(180_000);
    const alive = members.every((m) => m.stopped === undefined);
    for (const m of members) await h.stop(m);
    const retries = members.reduce((n, m) => n + (m.summary?.retries ?? 0), 0);
    return {
      faults: `dynoxide SIGKILLed for ${downMs / 1000} s, restarted`,
      checks: [
        ["no consumer crashed (backpressure, not a crash)", alive],
        [`the outage was retried (${retries} retries)`, retries > 0],
      ],
    };
  },
};
