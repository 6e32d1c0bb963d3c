// Telemetry never breaks processing (OpenTelemetry contrib's guideline): every hook the
// core calls and every telemetry step an adapter takes goes through these wrappers, so a throwing
// span, meter or exporter is logged — rate-limited, a broken hook fires on every record — and the
// record goes on as if no telemetry were there.

import type { Log } from "./ports.ts";

const REPORT_EVERY_MS = 60_000;

/** Logs failures of one telemetry part at most once a minute, with the count in between. */
export class FailureReporter {
  readonly #log: Log;
  readonly #what: string;
  readonly #now: () => number;
  #lastAt: number | undefined;
  #suppressed = 0;

  constructor(log: Log, what: string, now: () => number = Date.now) {
    this.#log = log;
    this.#what = what;
    this.#now = now;
  }

  report(where: string, err: unknown): void {
    try {
      const now = this.#now();
      if (this.#lastAt !== undefined && now - this.#lastAt < REPORT_EVERY_MS) {
        this.#suppressed++;
        return;
      }
      this.#lastAt = now;
      const suppressed = this.#suppressed;
      this.#suppressed = 0;
      // Only the message: an error object from an exporter may carry request headers.
      this.#log.warn(
        { telemetry: this.#what, hook: where, suppressed },
        `telemetry failed, processing goes on: ${err instanceof Error ? err.message : String(err)}`,
      );
    } catch {
      // The logger itself failed: nothing left to tell.
    }
  }
}

/** Runs a telemetry step; its failure is reported and `fallback` returned instead. */
export function safely<T>(reporter: FailureReporter, where: string, step: () => T, fallback: T): T {
  try {
    return step();
  } catch (err) {
    reporter.report(where, err);
    return fallback;
  }
}

/**
 * The same hooks, each call wrapped: a throw or a rejected promise is reported and the call returns
 * undefined. Works for plain objects and class instances (methods on the prototype) alike.
 */
export function guard<T extends object>(hooks: T, reporter: FailureReporter): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(hooks, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      let fn = wrapped.get(prop);
      if (fn === undefined) {
        const name = String(prop);
        fn = (...args: unknown[]): unknown => {
          try {
            const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
            if (result instanceof Promise) return result.catch((err: unknown) => reporter.report(name, err));
            return result;
          } catch (err) {
            reporter.report(name, err);
            return undefined;
          }
        };
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}
