// Source, id and item key. The id is the key columns' values, in key order, written as canonical
// JSON: JSON escapes every string, so two different keys can never produce the same text whatever
// characters they hold ("a:b" + "c" and "a" + "b:c" stay apart). The source is percent-escaped
// before the `:` separator, so the first `:` of an item key always ends the source.

import { canonicalJson, type JsonValue } from "./json.ts";
import type { KeyColumn } from "./types.ts";

export function encodeId(columns: readonly KeyColumn[]): string {
  return canonicalJson(columns.map((c) => c.value) as JsonValue[]);
}

export function escapeSource(source: string): string {
  return source.replaceAll("%", "%25").replaceAll(":", "%3A");
}

/** The item key of a row's state item: `source:id`. */
export function itemKey(source: string, id: string): string {
  return `${escapeSource(source)}:${id}`;
}

type SourceFields = {
  name?: string | undefined;
  db?: string | null | undefined;
  schema?: string | null | undefined;
  table?: string | null | undefined;
};

/** `connector.db.schema.table` from the envelope's source block, else the topic. */
export function sourceName(
  source: SourceFields | undefined,
  topic: string,
  override: string | undefined,
): string {
  if (override) return override;
  if (!source?.table) return topic;
  return [source.name, source.db, source.schema, source.table]
    .filter((p) => p !== undefined && p !== null && p !== "")
    .join(".");
}
