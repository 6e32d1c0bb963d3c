// The stuck watchdog: a partition whose watermark stood still for STUCK_TIMEOUT_MS with records
// waiting makes the service unready; twice that, and it stops with exit 5 so the orchestrator
// restarts it. Per partition, so one write that never resolves is noticed even while the other
// partitions progress.
//
// While the store's circuit breaker is open (engine/breaker.ts) the watchdog holds: the records
// wait because the store is down, which a restart cannot fix (and every restarted member would
// rebalance the group and probe the store afresh). Readiness says so meanwhile. The stall clock
// starts again when the breaker closes, so a store outage of any length never ends in exit 5; a
// write that hangs without failing never opens the breaker and is still caught.

import { ExitCode, FatalError } from "../core/errors.ts";

export type Watched = {
  /** The earliest time since which a partition's watermark stood still with records waiting. */
  stalledSince(): number | undefined;
  buffered(): number;
  /** True while stalls are expected and not to be counted (the store's breaker is open). */
  held?(): boolean;
};

export type Watchdog = { readonly stuck: boolean; stop(): void };

export function startWatchdog(
  watched: Watched,
  stuckTimeoutMs: number,
  onFatal: (err: Error) => void,
): Watchdog {
  let stuck = false;
  let heldUntil = 0;
  const timer = setInterval(
    () => {
      if (watched.held?.() === true) heldUntil = Date.now();
      const since = watched.stalledSince();
      const idleMs = since === undefined ? 0 : Date.now() - Math.max(since, heldUntil);
      stuck = idleMs > stuckTimeoutMs;
      if (idleMs > 2 * stuckTimeoutMs) {
        onFatal(
          new FatalError(
            "stuck",
            `a partition's records have not moved for ${Math.round(idleMs / 1000)} s ` +
              `(${watched.buffered()} waiting); exiting so the orchestrator restarts the service`,
            ExitCode.stuck,
          ),
        );
      }
    },
    Math.min(1000, stuckTimeoutMs),
  );
  timer.unref();
  return {
    get stuck() {
      return stuck;
    },
    stop: () => clearInterval(timer),
  };
}
