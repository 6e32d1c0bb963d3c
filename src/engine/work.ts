// The processor's work in flight. Every promise it starts is tracked until it settles, so a
// shutdown can wait for it (drain); a rejection is a fatal stop, never an unhandled rejection. The
// work of one item key runs on a chain, one job after another: records of one row are written in
// offset order, while different rows go concurrently.

import { sleep } from "./retry.ts";

export class Work {
  readonly #active = new Set<Promise<void>>();
  readonly #chains = new Map<string, Promise<void>>();
  readonly #onFatal: (err: Error) => void;

  constructor(onFatal: (err: Error) => void) {
    this.#onFatal = onFatal;
  }

  /** Tracks work until it settles; a rejection is a fatal stop (programming errors included). */
  track(work: Promise<void>): Promise<void> {
    const guarded = work.catch((err: unknown) =>
      this.#onFatal(err instanceof Error ? err : new Error(String(err))),
    );
    this.#active.add(guarded);
    void guarded.finally(() => this.#active.delete(guarded));
    return guarded;
  }

  /** Runs `job` once every earlier job of `key` has settled. */
  chain(key: string, job: () => Promise<void>): void {
    // The chain holds the guarded promise (it never rejects), so no derived promise goes unhandled.
    const previous = this.#chains.get(key) ?? Promise.resolve();
    const next = this.track(previous.then(job));
    this.#chains.set(key, next);
    void next.finally(() => {
      if (this.#chains.get(key) === next) this.#chains.delete(key);
    });
  }

  /** Keys with a job queued or running (a test's view: finished chains must not stay behind). */
  get chains(): number {
    return this.#chains.size;
  }

  /** Waits for the work in flight, and for work it starts, to settle; false if the deadline came first. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.#active.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      // The deadline's timer is cancelled as soon as the work settles: a leftover timer would keep
      // a finished process (or test run) alive until it fired.
      const timer = new AbortController();
      await Promise.race([Promise.allSettled([...this.#active]), sleep(left, timer.signal)]);
      timer.abort();
    }
    return true;
  }
}
