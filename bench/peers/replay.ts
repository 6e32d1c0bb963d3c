// What the Flink peer's unconditional writes do to a table, shown beside B-ours on the same topic:
// a change stream (with its own few stale replays) followed by the first half of it sent again, as
// Debezium re-sends after a restart from an older offset. Both sinks consume the topic to its end;
// then every key's item is held against the newest change of that key in the stream.

import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { decodeKafkaRecord } from "../../src/core/record.ts";
import { itemKey } from "../../src/core/identity.ts";
import type { Message, StreamOptions } from "../workload.ts";
import { changeStream } from "../workload.ts";

/** A key's newest change (by version), or what an item holds: its version and whether it is a delete. */
export type State = { version: string; deleted: boolean };

export type Verdict = {
  keys: number;
  /** Item at the newest version (a deleted row: no item, or a tombstone item). */
  current: number;
  /** A live item at an older version than the newest change. */
  regressed: number;
  /** The row's newest change is a delete, and a live item stands. */
  resurrected: number;
  /** The row's newest change is live, and there is no live item. */
  lost: number;
};

/** The stream with its first `fraction` sent again at the end. */
export function* withReplay(o: StreamOptions, fraction: number): Generator<Message> {
  const first: Message[] = [];
  const limit = Math.floor(o.records * fraction);
  for (const m of changeStream(o)) {
    if (first.length < limit) first.push(m);
    yield m;
  }
  yield* first;
}

/** The newest change of every item key in these messages, by version (as the product orders). */
export function newest(messages: Iterable<Message>, topic: string): Map<string, State> {
  const out = new Map<string, State>();
  let offset = 0;
  for (const m of messages) {
    const d = decodeKafkaRecord(
      {
        topic,
        partition: 0,
        offset: String(offset++),
        key: m.key,
        value: m.value,
        headers: {},
        timestamp: "0",
      },
      { versionSource: "auto", epoch: 0 },
    );
    if (d.kind !== "change") continue;
    const key = itemKey(d.event.source, d.event.id);
    const seen = out.get(key);
    if (seen === undefined || d.event.version > seen.version)
      out.set(key, { version: d.event.version, deleted: d.event.op === "d" });
  }
  return out;
}

/**
 * What a writer that keeps each key's order and writes without a condition leaves: each key's last
 * message in stream order (a delete leaves no item). The Flink peer can do worse: its sink sends
 * batches concurrently and re-sends unprocessed items, so a key's writes may land out of order.
 */
export function lastWins(messages: Iterable<Message>, topic: string): Map<string, State | undefined> {
  const out = new Map<string, State | undefined>();
  for (const m of messages)
    for (const [key, s] of newest([m], topic)) out.set(key, s.deleted ? undefined : s);
  return out;
}

/** An item as a State: a tombstone item (B-ours) counts as deleted, as no item at all does. */
export function itemState(item: Record<string, AttributeValue> | undefined): State | undefined {
  if (item === undefined || item["_cdc_deleted"]?.BOOL === true) return undefined;
  return { version: item["_cdc_version"]?.S ?? "", deleted: false };
}

export function verdict(truth: Map<string, State>, items: Map<string, State | undefined>): Verdict {
  const v: Verdict = { keys: truth.size, current: 0, regressed: 0, resurrected: 0, lost: 0 };
  for (const [key, want] of truth) {
    const have = items.get(key);
    if (want.deleted) {
      if (have === undefined) v.current++;
      else v.resurrected++;
    } else if (have === undefined) v.lost++;
    else if (have.version === want.version) v.current++;
    else if (have.version < want.version) v.regressed++;
    // A live item newer than any change in the stream cannot come from this stream.
    else throw new Error(`${key}: item version ${have.version} is past the stream's newest ${want.version}`);
  }
  return v;
}
