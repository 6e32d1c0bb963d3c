import type { Scenario } from "../scenario.ts";
import { WRITES, startFaultProxy, type Fault } from "../../support/dynamo-fault-proxy.ts";
import { standardFill } from "./common.ts";

export const throttling: Scenario = {
  title: "throttling-5xx",
  limitMs: { ci: 240_000, nightly: 1_200_000 },
  async run(h) {
    await standardFill(h, { scale: 2, seed: 13 });
    const kinds: Fault[] = ["throughput", "throttle", "500", "503", "conflict"];
    // Every tenth PutItem; every second request of the transact shape (one carries many records).
    let n = 0;
    const proxy = await startFaultProxy(h.endpoints.dynamodbEndpoint, (op) => {
      if (!WRITES.has(op)) return undefined;
      const every = op === "PutItem" ? 10 : 2;
      return ++n % every === 0 ? kinds[Math.floor(n / every) % kinds.length] : undefined;
    });
    try {
      h.dynamoEndpoint = proxy.endpoint;
      h.consumer();
      h.consumer();
      await h.waitCaughtUp(180_000);
      for (const c of h.running()) await h.stop(c);
    } finally {
      await proxy.close();
    }
    const dlq = (await h.admin.fetchTopicOffsets(h.dlq)).reduce((n, p) => n + Number(p.high), 0);
    const injected = kinds.map((k) => `${k}=${proxy.counts[k]}`).join(" ");
    return {
      faults: injected,
      checks: [
        ["every kind was injected", kinds.every((k) => proxy.counts[k] > 0)],
        [`no DLQ entries for retryable errors (${dlq})`, dlq === 0],
        ["no record dead-lettered", h.consumers.every((c) => (c.summary?.dead_lettered ?? 0) === 0)],
      ],
    };
  },
};
