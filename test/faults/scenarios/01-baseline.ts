import type { Scenario } from "../scenario.ts";
import { rssKb, standardFill } from "./common.ts";

export const baseline: Scenario = {
  title: "baseline",
  limitMs: { ci: 180_000, nightly: 900_000 },
  async run(h) {
    await standardFill(h, { scale: 2 });
    const consumers = [h.consumer(), h.consumer(), h.consumer()];
    const samples: number[] = [];
    const sampler = setInterval(
      () =>
        void Promise.all(consumers.map((c) => rssKb(c.proc.child.pid!))).then((r) =>
          samples.push(Math.max(...r)),
        ),
      250,
    );
    await h.waitCaughtUp(h.size === "ci" ? 120_000 : 800_000);
    clearInterval(sampler);
    // Flat: the peak of the second half of the run is no more than 1.5 × the first half's peak. The
    // first quarter is the processes' warm-up (V8 grows its heap while the first fetches arrive) and
    // is left out: on a fast run it made the "first half" mostly start-up (seen: 137 MB against
    // 217 MB in a 12 s run, while longer runs stayed flat).
    const warm = samples.slice(Math.floor(samples.length / 4));
    const half = Math.floor(warm.length / 2);
    const first = Math.max(...warm.slice(0, Math.max(1, half)));
    const second = Math.max(...warm.slice(half));
    return {
      faults: "none",
      checks: [
        ["lag reached 0", true],
        [
          `RSS flat (first half ${first} kB, second half ${second} kB)`,
          warm.length > 0 && second <= first * 1.5,
        ],
      ],
    };
  },
};
