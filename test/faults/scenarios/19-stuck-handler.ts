import { fileURLToPath } from "node:url";
import type { Scenario } from "../scenario.ts";
import { standardFill } from "./common.ts";
import { waitFor } from "../../support/wait.ts";

const preload = fileURLToPath(new URL("../inject/dynamo-client.ts", import.meta.url));

export const stuckHandler: Scenario = {
  title: "stuck-handler",
  limitMs: { ci: 180_000, nightly: 600_000 },
  async run(h) {
    await standardFill(h, { seed: 19 });
    const stuck = h.consumer(
      {
        INJECT_PK: "pg.app.public.customers:[3]",
        INJECT_MODE: "hang",
        STUCK_TIMEOUT_MS: "3000",
        HEALTH_PORT: "0",
      },
      ["--import", preload],
    );
    const port = await waitFor(
      () => /"port":(\d+)[^\n]*"msg":"health server listening"/.exec(stuck.proc.output())?.[1],
      { timeoutMs: 30_000, message: "no health port" },
    );
    // Until it joins the group the member is unready for another reason ("not joined to the consumer
    // group"); the check is for the watchdog's reason, which must show before the exit at twice the
    // timeout. Every 503 reason seen is kept for the check's label.
    const seen = new Set<string>();
    const unready = await waitFor(
      async () => {
        const r = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
        if (r?.status !== 503) return undefined;
        const reasons = ((await r.json()) as { reasons: string[] }).reasons;
        for (const reason of reasons) seen.add(reason);
        return reasons.find((reason) => /STUCK_TIMEOUT_MS/.test(reason));
      },
      { timeoutMs: 30_000, message: "never went unready for the watchdog's reason" },
    );
    const { code } = await stuck.proc.exited;
    // A healthy member takes over and finishes, including the stuck key.
    h.consumer();
    await h.waitCaughtUp(120_000);
    return {
      faults: "one write that never resolves",
      checks: [
        [`went unready (${[...seen].join("; ")})`, /STUCK_TIMEOUT_MS/.test(unready)],
        [`exited ${code} for a restart`, code === 5],
      ],
    };
  },
};
