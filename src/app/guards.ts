// The guards that protect a shared table and the group around the sink (issue 21): the write
// budgets (engine/write-budget.ts), the store's circuit breaker (engine/breaker.ts) and the
// rebalance-storm detector (engine/rebalance-storm.ts), with their log lines and readiness reasons.

import type { Config } from "../config/config.ts";
import { routeFor } from "../config/routes.ts";
import { CircuitBreaker } from "../engine/breaker.ts";
import type { Log } from "../engine/ports.ts";
import { RebalanceStorm } from "../engine/rebalance-storm.ts";
import { WriteBudget } from "../engine/write-budget.ts";

export type Guards = {
  readonly breaker: CircuitBreaker;
  readonly storm: RebalanceStorm;
  readonly budgetFor: (topic: string) => WriteBudget | undefined;
  /** Called on every rebalance this member takes part in. */
  rebalanced(): void;
  /** Why the service is not ready because of a guard (empty when none holds it). */
  reasons(): string[];
  stop(): void;
};

export function wireGuards(config: Config, log: Log): Guards {
  const p = config.processing;
  const breaker = new CircuitBreaker(p.breaker, {
    onOpen: (failures, code) =>
      log.error(
        { breaker: "open", failures, code, probeInitialMs: p.breaker.probeInitialMs },
        `circuit breaker open: ${failures} writes in a row failed without an answer from the store ` +
          `(${code}); every partition stops sending, one probe at a growing interval`,
      ),
    onClose: (openMs, probes) =>
      log.info(
        { breaker: "closed", openMs, probes },
        `circuit breaker closed: the store answered after ${Math.round(openMs / 100) / 10} s and ` +
          `${probes} probe(s); every partition sends again`,
      ),
    onProbe: (intervalMs) => log.info({ breaker: "probe", intervalMs }, "circuit breaker: probing the store"),
  });
  const storm = new RebalanceStorm(p.rebalanceStorm);
  // One bucket for the service-wide budget, one per route that sets its own.
  const global =
    p.maxWriteUnitsPerSecond === undefined ? undefined : new WriteBudget(p.maxWriteUnitsPerSecond);
  const perRoute = new Map<object, WriteBudget>();
  const budgetFor = (topic: string): WriteBudget | undefined => {
    const route = routeFor(config.routes, topic);
    const rate = route?.maxWriteUnitsPerSecond;
    if (route === undefined || rate === undefined) return global;
    let budget = perRoute.get(route);
    if (budget === undefined) perRoute.set(route, (budget = new WriteBudget(rate)));
    return budget;
  };
  return {
    breaker,
    storm,
    budgetFor,
    rebalanced: () => {
      if (storm.record())
        log.warn({ rebalances: storm.count }, `unready: ${storm.reason() ?? "rebalance storm"}`);
    },
    reasons: () => {
      const reasons: string[] = [];
      const since = breaker.openedAt;
      if (since !== undefined)
        reasons.push(
          `the store is unavailable: circuit breaker open for ${Math.round((Date.now() - since) / 1000)} s`,
        );
      const stormReason = storm.reason();
      if (stormReason !== undefined) reasons.push(stormReason);
      return reasons;
    },
    stop: () => breaker.stop(),
  };
}
