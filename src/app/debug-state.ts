// What /debug/state shows: the engine's view of each held partition beside what the Kafka client was
// told to pause, and the write gates. A member that fetches nothing and writes nothing explains
// itself here: a partition paused at the client with no retry and no memory pause behind it will
// never fetch again; a partition with records pending and nothing in flight waits on a gate.

import type { CircuitBreaker } from "../engine/breaker.ts";
import type { AdaptiveLimiter } from "../engine/limiter.ts";
import type { Processor } from "../engine/processor.ts";
import type { KafkaSource } from "../adapters/kafka/source.ts";

export function debugState(
  processor: Processor,
  source: Pick<KafkaSource, "pausedAtClient" | "ready" | "assignment">,
  limiter: AdaptiveLimiter,
  breaker: CircuitBreaker,
): unknown {
  const paused = new Set(source.pausedAtClient());
  const partitions = processor.partitions().map((p) => {
    const key = `${p.topic}/${p.partition}`;
    const pausedAtClient = paused.delete(key);
    // Paused with no reason the engine knows of: nothing will resume it.
    const strandedPause = pausedAtClient && p.retrying === 0 && !p.pausedForMemory;
    return { ...p, pausedAtClient, strandedPause };
  });
  return {
    ready: source.ready,
    stopping: processor.stopping,
    assignment: source.assignment,
    buffered: processor.buffered,
    writes: { inFlight: limiter.inFlight, limit: limiter.limit },
    breaker: { open: breaker.open, openedAt: breaker.openedAt, waiting: breaker.waiting },
    partitions,
    // Paused at the client but not held (an earlier generation's): resumed if assigned again.
    pausedNotHeld: [...paused],
  };
}
