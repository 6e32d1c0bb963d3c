// What a write would do, decided without writing. Pure. The product's conditional put
// (core/item.ts) is
//   attribute_not_exists(#key) OR (begins_with(#version, :scheme) AND #version < :version)
// and a refused condition is read by core/write.ts's refusedOutcome from the old item; here the
// same condition is evaluated against an item read beforehand, and refusals go through that same
// refusedOutcome, so a dry run names the outcome (and the poison code) the sink would.

import type { Item } from "../core/attribute-value.ts";
import { compareVersions as order } from "../core/versions/index.ts";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { PoisonError } from "../core/errors.ts";
import { itemKey } from "../core/identity.ts";
import { META, type ItemOptions, type Position } from "../core/item.ts";
import { itemSize } from "../core/marshal.ts";
import { Outcome, type ChangeEvent, type TruncateEvent, type WriteOutcome } from "../core/types.ts";
import { refusedOutcome, writeRequest } from "../core/write.ts";

export type StoredItem = Record<string, AttributeValue> | undefined;

/** The outcome of the conditional put over `stored`; throws PoisonError where the sink would. */
export function decideWrite(event: ChangeEvent, stored: StoredItem): WriteOutcome {
  if (stored === undefined) return Outcome.applied;
  const version = stored[META.version]?.S;
  if (version !== undefined && version.startsWith(event.versionScheme) && order(version, event.version) < 0)
    return Outcome.applied;
  return refusedOutcome(event, version);
}

/** Field names of each version scheme's layout (core/versions/index.ts). */
const FIELDS: Record<string, readonly string[]> = {
  pg: ["scheme", "epoch", "lastCommitLsn", "rank", "lsn"],
  my: ["scheme", "epoch", "binlogFile", "pos", "rank", "row"],
  col: ["scheme", "epoch", "column", "rank"],
  ko: ["scheme", "epoch", "kafkaOffset"],
};

export type FieldComparison = { field: string; record: string; stored: string; order: "<" | "=" | ">" };

/** The two versions side by side, field by field (`order` reads "record <order> stored"). */
export function compareVersions(record: string, stored: string): FieldComparison[] {
  const a = record.split(":");
  const b = stored.split(":");
  const names = FIELDS[a[0] ?? ""] ?? [];
  const out: FieldComparison[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? "";
    const y = b[i] ?? "";
    out.push({
      field: names[i] ?? `field${i}`,
      record: x,
      stored: y,
      order: x < y ? "<" : x > y ? ">" : "=",
    });
  }
  return out;
}

export type Prepared =
  | { kind: "skip"; reason: string }
  | { kind: "truncate"; event: TruncateEvent }
  | { kind: "poison"; code: string; message: string; event?: ChangeEvent }
  | { kind: "change"; event: ChangeEvent; key: string; item: Record<string, AttributeValue> };

/** Builds the item exactly as the sink would (writeRequest), or the poison that stops it. */
export function prepareWrite(
  event: ChangeEvent,
  at: Position,
  options: ItemOptions,
  nowMs: number,
): Prepared {
  try {
    const request = writeRequest(event, at, options, nowMs);
    return { kind: "change", event, key: itemKey(event.source, event.id), item: request.Item ?? {} };
  } catch (err) {
    if (!(err instanceof PoisonError)) throw err;
    return { kind: "poison", code: err.code, message: err.message, event };
  }
}

/** Write units of one put: 1 per KB started; a transactional write costs twice that (docs/adr). */
export function writeUnits(bytes: number): { put: number; transact: number } {
  const put = Math.max(1, Math.ceil(bytes / 1024));
  return { put, transact: 2 * put };
}

export function sizeOf(item: Record<string, AttributeValue>): number {
  // The sink writes no sets (SS, NS, BS), so its items are the core's kind; a foreign item's sets
  // are not counted (explain reports its outcome as poison `foreign_item` anyway).
  return itemSize(item as unknown as Item);
}

/** Why the outcome is what it is, in one sentence an operator can act on. */
export function reasonFor(outcome: WriteOutcome, event: ChangeEvent, stored: StoredItem): string {
  const version = stored?.[META.version]?.S;
  if (outcome === Outcome.applied)
    return version === undefined
      ? "no item holds this key: the write would create it"
      : `the stored version ${version} is older than the record's ${event.version}: ` +
          "the write would replace it";
  if (outcome === Outcome.duplicate)
    return (
      `the stored version equals the record's (${event.version}): ` +
      "a replay, the write would change nothing"
    );
  return (
    `the stored version ${version} is newer than the record's ${event.version}: ` +
    "the write would be refused"
  );
}
