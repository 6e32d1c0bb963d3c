// Applying a truncate (TRUNCATE_POLICY=apply, docs/formats/truncate.md): every item of the truncated
// source gets a tombstone at the truncate's version, under the same condition as a delete
// (`attribute_not_exists OR version < :incoming`, core/item.ts). An item already newer than the
// truncate (a row written after it) is left alone, and an older change replayed later finds a
// tombstone newer than itself: it can never bring a truncated row back.
//
// The truncate record names no key, so each tombstone is for an item found in the table: its id
// (`_cdc_id`) is the one the item was written with. The key columns are not repeated as attributes
// (the truncate does not name them); `pk`, `_cdc_source` and `_cdc_id` keep the key.

import { escapeSource } from "./identity.ts";
import { META, type ItemOptions, type Position } from "./item.ts";
import type { ChangeEvent, TruncateEvent } from "./types.ts";
import { writeRequest } from "./write.ts";

/** What one truncate did: items tombstoned, and items left as they were (newer, or tombstoned already). */
export type TruncateResult = { readonly tombstoned: number; readonly untouched: number };

/** The item keys of a source all start with this: `<escaped source>:` (core/identity.ts). */
export function sourcePrefix(source: string): string {
  return `${escapeSource(source)}:`;
}

/** The delete the tombstone of item `id` stands for: its outcome is read as a delete's would be. */
export function tombstoneEvent(truncate: TruncateEvent, id: string): ChangeEvent {
  return {
    op: "d",
    source: truncate.source,
    id,
    keyColumns: [],
    version: truncate.version,
    versionScheme: truncate.versionScheme,
    row: null,
    sourceTsMs: truncate.sourceTsMs,
  };
}

/** The conditional put of one truncate tombstone; `_cdc_op` says `t`, the write that made it. */
export function truncateRequest(
  truncate: TruncateEvent,
  id: string,
  at: Position,
  options: ItemOptions,
  nowMs: number,
): ReturnType<typeof writeRequest> {
  const request = writeRequest(tombstoneEvent(truncate, id), at, options, nowMs);
  return { ...request, Item: { ...request.Item, [META.op]: { S: "t" } } };
}
