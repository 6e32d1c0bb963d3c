import { setTimeout as delay } from "node:timers/promises";

export type WaitOptions = { timeoutMs?: number; intervalMs?: number; message?: string };

/**
 * Polls `fn` until it returns something other than false/undefined/null (and does not throw),
 * and resolves with that value. On timeout it fails with `message` and the last error or value,
 * so a test waits for a state instead of sleeping and hoping.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 100, message = "condition not met" }: WaitOptions = {},
): Promise<Exclude<T, false | undefined | null>> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const value = await fn();
      if (value !== false && value !== undefined && value !== null)
        return value as Exclude<T, false | undefined | null>;
      last = `last value ${String(value)}`;
    } catch (err) {
      last = `last error ${err instanceof Error ? err.message : String(err)}`;
    }
    if (Date.now() >= deadline)
      throw new Error(`waitFor timed out after ${timeoutMs} ms: ${message} (${last})`);
    await delay(intervalMs);
  }
}
