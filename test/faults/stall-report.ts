// When the group does not catch up: each running member's /debug/state (held partitions, what the
// client was told to pause, writes in flight, the breaker) beside the group's committed offsets, so
// a stalled scenario says which partition stopped and why, not only that the timeout ran out.

import { groupProgress } from "../support/kafka-progress.ts";
import type { Consumer } from "./harness.ts";

/** The health port a member logged ("health server listening"), or undefined before it did. */
export function healthPort(output: string): number | undefined {
  const line = output.split("\n").find((l) => l.includes('"msg":"health server listening"'));
  if (line === undefined) return undefined;
  try {
    return (JSON.parse(line) as { port?: number }).port;
  } catch {
    return undefined;
  }
}

export type MemberView = { ready: boolean; assignment: Record<string, number[]> };

/**
 * A running member's own view of its group membership (/debug/state): joined and not mid-rebalance,
 * and the partitions it holds. Undefined when it cannot be read (no port yet, not answering).
 * Protocol-free: a KIP-848 group is not a classic group, so kafkajs's DescribeGroups cannot show it.
 */
export async function memberView(c: Consumer): Promise<MemberView | undefined> {
  const port = healthPort(c.proc.output());
  if (port === undefined) return undefined;
  try {
    const res = await fetch(`http://127.0.0.1:${port}/debug/state`, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) return undefined;
    return (await res.json()) as MemberView;
  } catch {
    return undefined;
  }
}

async function memberState(c: Consumer): Promise<string> {
  const port = healthPort(c.proc.output());
  if (port === undefined) return "no health port logged";
  try {
    const res = await fetch(`http://127.0.0.1:${port}/debug/state`, { signal: AbortSignal.timeout(5_000) });
    return `${res.status} ${await res.text()}`;
  } catch (err) {
    return `unreachable: ${err instanceof Error ? err.message : String(err)}`;
  }
}

export async function stallReport(
  brokers: string,
  group: string,
  topic: string,
  consumers: readonly Consumer[],
): Promise<string> {
  const lines: string[] = [];
  try {
    const progress = await groupProgress(brokers, group, topic);
    const behind = [...progress.entries()]
      .filter(([, [committed, high]]) => committed !== high)
      .map(([p, [committed, high]]) => `${p}: committed ${committed} of ${high}`);
    lines.push(`partitions behind: ${behind.join("; ") || "none"}`);
  } catch (err) {
    lines.push(`group progress unreadable: ${err instanceof Error ? err.message : String(err)}`);
  }
  for (const c of consumers) {
    const state = c.stopped === undefined ? await memberState(c) : `exited ${JSON.stringify(c.stopped)}`;
    lines.push(`--- ${c.name} (pid ${c.proc.child.pid}) /debug/state: ${state}`);
  }
  return lines.join("\n");
}
