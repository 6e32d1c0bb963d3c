import { uniqueName } from "../../support/names.ts";
import { waitFor } from "../../support/wait.ts";
import { caughtUp } from "../../support/kafka-progress.ts";
import type { Scenario } from "../scenario.ts";
import { standardFill } from "./common.ts";
import { parseSummary } from "../harness.ts";

export const fullReplay: Scenario = {
  title: "full-replay",
  limitMs: { ci: 180_000, nightly: 900_000 },
  async run(h) {
    await standardFill(h);
    const first = h.consumer();
    await h.waitCaughtUp(120_000);
    await h.stop(first);
    const group = uniqueName("replay");
    const replay = h.consumer({ KAFKA_GROUP_ID: group });
    await waitFor(() => caughtUp(h.endpoints.kafkaBrokers, group, h.topic), {
      timeoutMs: h.scaled(120_000),
      message: "replay did not catch up",
    });
    await h.stop(replay);
    const summary = parseSummary(replay.proc.output());
    return {
      faults: "a new group re-reads everything",
      checks: [
        [`the replay applied 0 (applied=${summary?.applied})`, summary?.applied === 0],
        [
          `the replay consumed every record (${summary?.consumed})`,
          summary?.consumed === h.ledger!.entries.length,
        ],
      ],
    };
  },
};
