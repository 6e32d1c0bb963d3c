// The stuck watchdog: a partition whose watermark stood still for STUCK_TIMEOUT_MS with records
// waiting makes the service unready; twice that, and it stops with exit 5 so the orchestrator
// restarts it. Per partition, so one write that never resolves is noticed even while the other
// partitions progress.

import { ExitCode, FatalError } from "../core/errors.ts";

export type Watched = {
  /** The earliest time since which a partition's watermark stood still with records waiting. */
  stalledSince(): number | undefined;
  readonly buffered: number;
};

export type Watchdog = { readonly stuck: boolean; stop(): void };

export function startWatchdog(
  watched: Watched,
  stuckTimeoutMs: number,
  onFatal: (err: Error) => void,
): Watchdog {
  let stuck = false;
  const timer = setInterval(
    () => {
      const since = watched.stalledSince();
      const idleMs = since === undefined ? 0 : Date.now() - since;
      stuck = idleMs > stuckTimeoutMs;
      if (idleMs > 2 * stuckTimeoutMs) {
        onFatal(
          new FatalError(
            "stuck",
            `a partition's records have not moved for ${Math.round(idleMs / 1000)} s ` +
              `(${watched.buffered} waiting); exiting so the orchestrator restarts the service`,
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
