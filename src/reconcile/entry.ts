// One comparable entry per source row and per item: the row's key as canonical values (the join key,
// independent of how the sink spelled the item key under a given converter setting), whether it is a
// tombstone, and each column's canonical value — long values replaced by a digest, so that entries
// stay small enough to sort on disk and memory stays bounded whatever the rows hold.

import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { isPlainObject, parseJson, type JsonValue } from "../core/json.ts";
import type { RowValue } from "../core/types.ts";
import { META, columnAttribute, type ItemLayout } from "../core/item.ts";
import { toAttribute } from "../core/marshal.ts";
import { fromItem, fromSource, rawAttribute, type Canon } from "./normalize.ts";
import type { Column, ConverterSettings, TableInfo } from "./types.ts";

export type Entry = {
  /** Join key: the key columns' canonical values, as JSON text; both sides sort by it. */
  readonly k: string;
  /** The key for people: `{"column":value,…}`. */
  readonly label: string;
  /** A tombstone item (`_cdc_deleted`): the sink saw the row deleted. */
  readonly tomb: boolean;
  /** Column → canonical value or digest; absent means NULL. */
  readonly cols: Readonly<Record<string, string>>;
};

const DIGEST_OVER = 48;

/** Short values are kept as they are (prefix "="), long ones as a SHA-256 digest (prefix "#"). */
function compact(value: string): string {
  return value.length <= DIGEST_OVER
    ? `=${value}`
    : `#${createHash("sha256").update(value).digest("base64").slice(0, 24)}`;
}

/** No prototype: a column may be called `__proto__`. */
function columnMap(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

const NUMERIC_KINDS = new Set(["integer", "decimal", "float4", "float6", "float8"]);

function keyOf(key: readonly Column[], canon: readonly Canon[]): { k: string; label: string } {
  const label = key.map((c, i) => {
    const bare = NUMERIC_KINDS.has(c.kind) && !c.array && !canon[i]!.startsWith("?");
    return `${JSON.stringify(c.name)}:${bare ? canon[i] : JSON.stringify(canon[i])}`;
  });
  return { k: JSON.stringify(canon), label: `{${label.join(",")}}` };
}

/** A source row: `values` in `table.columns` order. */
export function sourceEntry(
  values: readonly JsonValue[],
  table: TableInfo,
  settings: ConverterSettings,
): Entry {
  const cols = columnMap();
  const byName = new Map<string, Canon>();
  table.columns.forEach((c, i) => {
    const canon = fromSource(values[i] ?? null, c, settings);
    byName.set(c.name, canon);
    if (canon !== null) cols[c.name] = compact(canon);
  });
  const { k, label } = keyOf(
    table.key,
    table.key.map((c) => byName.get(c.name) ?? null),
  );
  return { k, label, tomb: false, cols };
}

export type { ItemLayout };

/** A row compressed by ITEM_COMPRESSION=gzip, back as attributes (bytes are `{"$b64": …}` inside). */
function gunzipRow(b: Uint8Array, layout: ItemLayout): Record<string, AttributeValue> {
  const row = parseJson(gunzipSync(b).toString("utf8"));
  if (!isPlainObject(row)) return {};
  const revive = (v: JsonValue): RowValue => {
    if (Array.isArray(v)) return v.map(revive);
    if (isPlainObject(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === "$b64" && typeof v["$b64"] === "string")
        return new Uint8Array(Buffer.from(v["$b64"], "base64"));
      return Object.fromEntries(keys.map((k) => [k, revive(v[k]!)]));
    }
    return v;
  };
  return Object.fromEntries(
    Object.entries(row).map(([c, v]) => [columnAttribute(c, layout), toAttribute(revive(v))]),
  );
}

function isMetadata(name: string, layout: ItemLayout): boolean {
  if (name === layout.keyAttribute || name === layout.ttlAttribute) return true;
  return name.startsWith("_cdc_") && !name.startsWith(META.columnPrefix);
}

/**
 * The key of an item from its `_cdc_id`: the Kafka key's values in key order, canonical JSON
 * (core/identity.ts), read as the attributes the sink would have written for them. Debezium writes
 * the key's fields in primary-key order, the order of `table.key`. Undefined when it does not fit.
 */
function idKey(id: string | undefined, table: TableInfo, settings: ConverterSettings): Canon[] | undefined {
  if (id === undefined) return undefined;
  let values: unknown;
  try {
    values = parseJson(id);
  } catch {
    return undefined;
  }
  if (!Array.isArray(values) || values.length !== table.key.length) return undefined;
  const canon = table.key.map((c, i) => fromItem(toAttribute(values[i] as RowValue), c, settings));
  return canon.some((c) => c === null) ? undefined : canon;
}

/**
 * An item, or undefined when it lacks a key column (it cannot be any row of the table); a
 * tombstone without key columns (a truncate's) is keyed by its `_cdc_id`.
 */
export function itemEntry(
  item: Record<string, AttributeValue>,
  table: TableInfo,
  settings: ConverterSettings,
  layout: ItemLayout,
): Entry | undefined {
  const gz = item[META.rowGzip]?.B;
  const attrs = gz === undefined ? item : { ...item, ...gunzipRow(gz, layout) };
  const tomb = item[META.deleted]?.BOOL === true;
  const cols = columnMap();
  const known = new Set<string>();
  const keyCanon: Canon[] = [];
  for (const c of table.columns) {
    const name = columnAttribute(c.name, layout);
    known.add(name);
    const canon = fromItem(attrs[name], c, settings);
    if (table.key.includes(c)) keyCanon.push(canon);
    if (canon !== null && !tomb) cols[c.name] = compact(canon);
  }
  if (keyCanon.some((c) => c === null)) {
    // A truncate's tombstone carries no key columns (core/truncate.ts): its key is `_cdc_id`.
    const fromId = tomb ? idKey(item[META.id]?.S, table, settings) : undefined;
    if (fromId === undefined) return undefined;
    keyCanon.splice(0, keyCanon.length, ...fromId);
  }
  if (!tomb) {
    // An attribute that is no column of the table (a dropped column, a stray write) is a difference.
    for (const [name, attr] of Object.entries(attrs)) {
      if (known.has(name) || isMetadata(name, layout) || (gz !== undefined && name === META.rowGzip))
        continue;
      const canon = rawAttribute(attr);
      if (canon !== null) cols[`+${name}`] = compact(canon);
    }
  }
  const { k, label } = keyOf(table.key, keyCanon);
  return { k, label, tomb, cols };
}

/** Names of the columns whose values differ (never the values: they may be personal data). */
export function differingColumns(source: Entry, item: Entry): string[] {
  const names = new Set([...Object.keys(source.cols), ...Object.keys(item.cols)]);
  return [...names].filter((n) => source.cols[n] !== item.cols[n]).sort();
}
