// The state item of one row and the condition that guards it. Pure: the DynamoDB adapter only
// sends what this builds.
//
// Layout (README "Item layout"): the table's key attribute holds `source:id`; row columns are
// top-level attributes; metadata attributes all start with `_cdc_`. A row column whose name is the
// key attribute's, the TTL attribute's or starts with `_cdc_` is stored as `_cdc_col_<name>`, so
// metadata and row columns can never collide and the mapping stays reversible. The TTL attribute
// is DynamoDB's: a number in it is an expiry time (epoch seconds) after which DynamoDB deletes
// the item, so only tombstones may carry it — a live row with a column `expires_at: 1600000000`
// under TTL_ATTRIBUTE=expires_at would otherwise be deleted by DynamoDB.

import { gzipSync } from "node:zlib";
import type { AttributeValue, PutRequest } from "./attribute-value.ts";
import { PoisonError } from "./errors.ts";
import { itemKey } from "./identity.ts";
import { canonicalJson, setOwn, type JsonValue } from "./json.ts";
import type { ChangeEvent, Row } from "./types.ts";
import { itemSize, toAttribute } from "./marshal.ts";
import type { TableMapping } from "./mapping.ts";

export const META = {
  version: "_cdc_version",
  deleted: "_cdc_deleted",
  op: "_cdc_op",
  source: "_cdc_source",
  id: "_cdc_id",
  topic: "_cdc_topic",
  partition: "_cdc_partition",
  offset: "_cdc_offset",
  sourceTsMs: "_cdc_source_ts_ms",
  writtenAt: "_cdc_written_at",
  rowGzip: "_cdc_row_gzip",
  columnPrefix: "_cdc_col_",
} as const;

/**
 * DynamoDB's limit on a partition key value, in UTF-8 bytes; a longer key is refused by the write
 * with a ValidationException. A long composite text key reaches it.
 */
export const MAX_KEY_BYTES = 2048;

/** DynamoDB's hard item limit. */
export const MAX_ITEM_BYTES = 400 * 1024;

/** The names the sink reserves in an item: row columns of these names are escaped. */
export type ItemLayout = { readonly keyAttribute: string; readonly ttlAttribute: string };

export type ItemOptions = ItemLayout & {
  readonly table: string;
  /** Tombstone lifetime in seconds; 0 keeps tombstones forever. */
  readonly tombstoneTtlSeconds: number;
  readonly compression: "none" | "gzip";
  /** A mapping onto the user's own table (docs/mapping.md); absent: the layout above. */
  readonly mapping?: TableMapping | undefined;
  /** The companion table of a mapping with `deletes: hard` (core/hard-delete.ts). */
  readonly tombstoneTable?: string | undefined;
};

export type Position = { readonly topic: string; readonly partition: number; readonly offset: string };

/** Where a row column is stored: as itself, or escaped when its name is reserved. */
export function columnAttribute(column: string, layout: ItemLayout): string {
  return column === layout.keyAttribute || column === layout.ttlAttribute || column.startsWith("_cdc_")
    ? `${META.columnPrefix}${column}`
    : column;
}

// setOwn, not assignment: a column called `__proto__` assigned to a plain object would set its
// prototype and vanish from the item. Object spread and Object.fromEntries define properties
// (CreateDataProperty), so they keep such a name as an own attribute.
function rowAttributes(row: Row, layout: ItemLayout): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const column of Object.keys(row))
    setOwn(out, columnAttribute(column, layout), toAttribute(row[column]!));
  return out;
}

/** The default layout's metadata: every `_cdc_*` attribute (also a mapping's `full` metadata). */
export function metadata(event: ChangeEvent, at: Position, nowMs: number): Record<string, AttributeValue> {
  const meta: Record<string, AttributeValue> = {
    [META.version]: { S: event.version },
    [META.deleted]: { BOOL: event.op === "d" },
    [META.op]: { S: event.op },
    [META.source]: { S: event.source },
    [META.id]: { S: event.id },
    [META.topic]: { S: at.topic },
    [META.partition]: { N: String(at.partition) },
    [META.offset]: { N: at.offset },
    [META.writtenAt]: { N: String(nowMs) },
  };
  if (event.sourceTsMs !== undefined) meta[META.sourceTsMs] = { N: String(event.sourceTsMs) };
  return meta;
}

function compressed(row: Row): Record<string, AttributeValue> {
  return { [META.rowGzip]: { B: gzipSync(canonicalJson(row as JsonValue)) } };
}

/** Builds the conditional PutItem for one change. Throws PoisonError when the item cannot fit. */
export function buildPut(event: ChangeEvent, at: Position, options: ItemOptions, nowMs: number): PutRequest {
  if (options.mapping !== undefined) return options.mapping.put(event, at, options, nowMs);
  const keyText = itemKey(event.source, event.id);
  const keyBytes = Buffer.byteLength(keyText);
  if (keyBytes > MAX_KEY_BYTES) {
    throw new PoisonError(
      "key_too_large",
      `the item key is ${keyBytes} bytes, over DynamoDB's ${MAX_KEY_BYTES}-byte limit for a partition ` +
        `key (it is the source name, ":", and the key columns as JSON)`,
    );
  }
  const key = { [options.keyAttribute]: { S: keyText } };
  const meta = metadata(event, at, nowMs);
  let item: Record<string, AttributeValue>;
  // The item's size is measured once per item built (it walks every attribute).
  let size: number;
  if (event.row === null) {
    const keyRow: Row = Object.fromEntries(event.keyColumns.map((c) => [c.name, c.value]));
    item = { ...rowAttributes(keyRow, options), ...meta, ...key };
    if (options.tombstoneTtlSeconds > 0) {
      item[options.ttlAttribute] = { N: String(Math.floor(nowMs / 1000) + options.tombstoneTtlSeconds) };
    }
    size = itemSize(item);
  } else {
    item = { ...rowAttributes(event.row, options), ...meta, ...key };
    size = itemSize(item);
    if (size > MAX_ITEM_BYTES) {
      if (options.compression !== "gzip") {
        throw new PoisonError(
          "item_too_large",
          `the item is ${size} bytes, over DynamoDB's 400 KB limit ` +
            `(set ITEM_COMPRESSION=gzip to store large rows compressed)`,
        );
      }
      item = { ...compressed(event.row), ...meta, ...key };
      size = itemSize(item);
    }
  }
  if (size > MAX_ITEM_BYTES) {
    throw new PoisonError(
      "item_too_large",
      `the item is ${size} bytes even compressed, over DynamoDB's 400 KB limit`,
    );
  }
  return {
    TableName: options.table,
    Item: item,
    // State table of the guard:
    //   no item                          → write (applied)
    //   item, same scheme, older version → write (applied)
    //   item, equal version              → refuse (duplicate)
    //   item, newer version              → refuse (stale)
    //   item of another version scheme   → refuse (reported as a poison record, never overwritten)
    ConditionExpression:
      "attribute_not_exists(#key) OR (begins_with(#version, :scheme) AND #version < :version)",
    ExpressionAttributeNames: { "#key": options.keyAttribute, "#version": META.version },
    ExpressionAttributeValues: { ":scheme": { S: event.versionScheme }, ":version": { S: event.version } },
    ReturnValuesOnConditionCheckFailure: "ALL_OLD",
  };
}
