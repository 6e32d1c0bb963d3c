// kafkajs matches a RegExp subscription only when `subscribe()` is called (consumer/index.js filters
// the cluster's topics there, once), so a topic created later — a table added to a Debezium
// connector — would never be consumed. This watcher lists the topics every KAFKA_METADATA_MAX_AGE_MS
// and reports the ones that match the pattern and were not there before; the source then subscribes
// again (kafkajs cannot subscribe while running: stop, subscribe, run — a rebalance, harmless since
// commits follow the watermark and every write is conditional).

import { errorMessage } from "../../core/errors.ts";
import type { Log } from "../../telemetry/log.ts";

/** Topics matching `pattern` that are neither in `known` nor in `exclude`, sorted. */
export function newMatches(
  all: readonly string[],
  pattern: RegExp,
  known: ReadonlySet<string>,
  exclude: ReadonlySet<string> = new Set(),
): string[] {
  const re = statelessPattern(pattern);
  return all.filter((t) => !known.has(t) && !exclude.has(t) && re.test(t)).sort();
}

/** A fresh RegExp without the g or y flag: with them, test() keeps state (lastIndex) between calls. */
export function statelessPattern(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ""));
}

export type TopicWatcher = { stop(): Promise<void> };

export type WatchOptions = {
  readonly pattern: RegExp;
  readonly intervalMs: number;
  /** Topics that existed when the consumer subscribed. */
  readonly known: ReadonlySet<string>;
  /**
   * Never reported, even when they match: the DLQ topic. Start-up refuses a pattern that matches
   * it (topics.ts), and this keeps it out should the pattern ever meet it later.
   */
  readonly exclude?: ReadonlySet<string>;
  /** Called with the new matching topics; the watcher waits for it before looking again. */
  readonly onNew: (topics: string[]) => Promise<void>;
  readonly log: Log;
};

export function watchTopics(
  lister: { list(): Promise<string[]>; close(): Promise<void> },
  o: WatchOptions,
): TopicWatcher {
  const known = new Set(o.known);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = async (): Promise<void> => {
    try {
      const fresh = newMatches(await lister.list(), o.pattern, known, o.exclude);
      if (fresh.length > 0 && !stopped) {
        o.log.info({ topics: fresh }, "new topics match KAFKA_TOPIC_PATTERN; subscribing to them");
        await o.onNew(fresh);
        for (const t of fresh) known.add(t);
      }
    } catch (err) {
      // Next interval tries again; a broker that stays away is the consumer's problem to report.
      o.log.warn({ err: errorMessage(err) }, "listing topics for KAFKA_TOPIC_PATTERN failed; will retry");
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(schedule);
    }, o.intervalMs);
    timer.unref();
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await lister.close();
    },
  };
}
