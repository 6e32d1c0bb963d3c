// Deciding the write of one change, and reading the store's answer. Pure: the DynamoDB adapters
// send what `writeRequest` builds and turn a refused condition into an outcome with
// `refusedOutcome`, from the old item that ReturnValuesOnConditionCheckFailure=ALL_OLD hands back.

import { PoisonError, asPoison } from "./errors.ts";
import type { Item } from "./attribute-value.ts";
import { META, buildPut, type ItemOptions, type Position } from "./item.ts";
import { collision, type TableMapping } from "./mapping.ts";
import { Outcome, type ChangeEvent, type WriteOutcome } from "./types.ts";
import { compareVersions } from "./versions/index.ts";

/**
 * The conditional put of one change. Building it depends only on this record, so whatever goes
 * wrong while building (a value the marshaller cannot take, however deep or odd) makes this record
 * poison — never a crash loop of the service.
 */
export function writeRequest(
  event: ChangeEvent,
  at: Position,
  options: ItemOptions,
  nowMs: number,
): ReturnType<typeof buildPut> {
  try {
    return buildPut(event, at, options, nowMs);
  } catch (err) {
    throw asPoison(err, "item_build_failed", "building the item");
  }
}

/** What a refused condition means, from the stored version. */
export function refusedOutcome(event: ChangeEvent, stored: string | undefined): WriteOutcome {
  if (stored === undefined) {
    throw new PoisonError(
      "foreign_item",
      `the item for this record's key (source ${event.source}) exists but has no ${META.version}; ` +
        "it was not written by this sink",
    );
  }
  if (!stored.startsWith(event.versionScheme)) {
    throw new PoisonError(
      "version_scheme_mismatch",
      `the stored version ${stored} is of another scheme than ${event.version}; ` +
        "was VERSION_SOURCE changed? (see docs/operations.md)",
    );
  }
  const order = compareVersions(stored, event.version);
  if (order === 0) return Outcome.duplicate;
  if (order > 0) return Outcome.stale;
  // The guard refused an older stored version: only a store that broke its own condition does that.
  throw new Error(`condition refused ${event.version} over older ${stored}`);
}

/**
 * What a refused condition means, from the whole stored item: on a mapped key (docs/mapping.md) an
 * item of another row is a collision (poison `key_collision`), else as refusedOutcome.
 */
export function refusedOf(
  event: ChangeEvent,
  old: Item | undefined,
  mapping: TableMapping | undefined,
): WriteOutcome {
  const clash = collision(event, old, mapping);
  if (clash !== undefined) throw clash;
  return refusedOutcome(event, old?.[META.version]?.S);
}
