import type { Scenario } from "../scenario.ts";
import { WRITES, startFaultProxy } from "../../support/dynamo-fault-proxy.ts";
import { standardFill } from "./common.ts";

export const ackLost: Scenario = {
  title: "ack-lost",
  limitMs: { ci: 240_000, nightly: 1_200_000 },
  async run(h) {
    await standardFill(h, { scale: 2, seed: 12 });
    let n = 0;
    // 5 % of write requests (one PutItem, or a TransactWriteItems of many) reach the store but their
    // reply is dropped: the sink sees a reset, retries, and must get `duplicate` back.
    const proxy = await startFaultProxy(h.endpoints.dynamodbEndpoint, (op) =>
      WRITES.has(op) && ++n % 20 === 10 ? "drop-reply" : undefined,
    );
    h.ambiguousWrites = true;
    try {
      h.dynamoEndpoint = proxy.endpoint;
      h.consumer({ DYNAMODB_REQUEST_TIMEOUT_MS: "1000" });
      h.consumer({ DYNAMODB_REQUEST_TIMEOUT_MS: "1000" });
      await h.waitCaughtUp(180_000);
      for (const c of h.running()) await h.stop(c);
    } finally {
      await proxy.close();
    }
    return {
      faults: `${proxy.counts["drop-reply"]} replies dropped after the write`,
      checks: [["replies were dropped", proxy.counts["drop-reply"] > 0]],
    };
  },
};
