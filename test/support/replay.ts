// Replays decoded Debezium records through the sink's guard, in memory: per item key, a change is
// kept when the key has no item yet or its version is above the stored one (compareVersions, the
// comparison every conditional write makes). Used to check that the versions of a connector's
// real sequences end at the newest change whatever order, and however often, they arrive.

import fc from "fast-check";
import { decodeKafkaRecord } from "../../src/core/record.ts";
import { itemKey } from "../../src/core/identity.ts";
import type { ChangeEvent, DecodeOptions, Row } from "../../src/core/types.ts";
import { compareVersions } from "../../src/core/versions/index.ts";

export type Final = { readonly version: string; readonly deleted: boolean; readonly row: Row | null };

/** A Debezium JSON record (key and value objects, no schema wrapper) as the consumer gets it. */
export type RawRecord = { readonly key: unknown; readonly value: unknown };

export const AUTO: DecodeOptions = { versionSource: "auto", epoch: 0 };

export function decodeRaw(record: RawRecord, options: DecodeOptions = AUTO, offset = "0"): ChangeEvent {
  const decoded = decodeKafkaRecord(
    {
      topic: "t",
      partition: 0,
      offset,
      key: Buffer.from(JSON.stringify(record.key)),
      value: Buffer.from(JSON.stringify(record.value)),
      headers: {},
      timestamp: "0",
    },
    options,
  );
  if (decoded.kind !== "change") throw new Error(`not a change: ${decoded.kind}`);
  return decoded.event;
}

/** The item each key ends with after the events are applied in this order. */
export function replay(events: readonly ChangeEvent[]): Map<string, Final> {
  const items = new Map<string, Final>();
  for (const event of events) {
    const key = itemKey(event.source, event.id);
    const stored = items.get(key);
    if (stored !== undefined && !stored.version.startsWith(event.versionScheme))
      throw new Error(`scheme mismatch: ${stored.version} vs ${event.version}`);
    if (stored === undefined || compareVersions(stored.version, event.version) < 0)
      items.set(key, { version: event.version, deleted: event.op === "d", row: event.row });
  }
  return items;
}

/** Every order of `items`, each of them possibly delivered again anywhere (Kafka's at-least-once). */
export function anyDelivery<T>(items: readonly T[]): fc.Arbitrary<T[]> {
  const n = items.length;
  return fc
    .tuple(
      fc.shuffledSubarray([...items], { minLength: n, maxLength: n }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.nat()), { maxLength: n }),
    )
    .map(([order, again]) => {
      const out = [...order];
      for (const [i, at] of again) out.splice(at % (out.length + 1), 0, items[i]!);
      return out;
    });
}

/** Each key's end state, row or deleted, for comparing two replays (key order does not matter). */
export function endState(events: readonly ChangeEvent[]): Record<string, Row | "deleted"> {
  return Object.fromEntries(
    [...replay(events)].map(([key, item]) => [key, item.deleted ? "deleted" : item.row!]),
  );
}
