// An in-memory stand-in for DynamoDB's conditional write, for fast unit tests of the processor.
// The integration tests run the same scenarios against the stack's DynamoDB (dynoxide).

import { Outcome, type ChangeEvent, type TruncateEvent, type WriteOutcome } from "../../src/core/types.ts";
import { itemKey } from "../../src/core/identity.ts";
import { sourcePrefix, tombstoneEvent, type TruncateResult } from "../../src/core/truncate.ts";
import { refusedOutcome } from "../../src/core/write.ts";
import type { Sink } from "../../src/engine/ports.ts";

export type StoredItem = { version: string; deleted: boolean; row: unknown };

export class MemorySink implements Sink {
  readonly items = new Map<string, StoredItem>();
  readonly applied: string[] = [];
  /** Called before each write; throw from it to inject errors. */
  fault: ((event: ChangeEvent) => void | Promise<void>) | undefined;

  async write(event: ChangeEvent): Promise<WriteOutcome> {
    await this.fault?.(event);
    await new Promise((r) => setImmediate(r));
    const key = itemKey(event.source, event.id);
    const old = this.items.get(key);
    if (old === undefined || (old.version.startsWith(event.versionScheme) && old.version < event.version)) {
      this.items.set(key, { version: event.version, deleted: event.op === "d", row: event.row });
      this.applied.push(`${key}@${event.version}`);
      return Outcome.applied;
    }
    return refusedOutcome(event, old.version);
  }

  /** The DynamoDB sink's truncate over the map: a tombstone per item of the source, as one page. */
  async truncate(
    event: TruncateEvent,
    _at: unknown,
    onPage?: (page: TruncateResult) => void,
  ): Promise<TruncateResult> {
    const prefix = sourcePrefix(event.source);
    let tombstoned = 0;
    let untouched = 0;
    for (const key of [...this.items.keys()].filter((k) => k.startsWith(prefix))) {
      const outcome = await this.write(tombstoneEvent(event, key.slice(prefix.length)));
      if (outcome === Outcome.applied) tombstoned++;
      else untouched++;
    }
    onPage?.({ tombstoned, untouched });
    return { tombstoned, untouched };
  }
}
