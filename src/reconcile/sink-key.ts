// For --sample: the item key the sink wrote for a source row, computed from the row (and, under a
// mapping, its key templates). The sink's id
// is the Kafka key's values as the decoder produced them (src/core/decode.ts), which depends on the
// converter settings; where two spellings are possible (with or without the JsonConverter schema)
// both candidates are returned and the one that exists is used.

import { JsonNumber, canonicalJson, type JsonValue } from "../core/json.ts";
import { itemKey } from "../core/identity.ts";
import type { Item } from "../core/attribute-value.ts";
import { PoisonError } from "../core/errors.ts";
import type { TableMapping } from "../core/mapping.ts";
import type { ChangeEvent } from "../core/types.ts";
import { isoDateDays, isoInstantMicros } from "./canonical.ts";
import { ReconcileInputError } from "./source.ts";
import { temporalUnit } from "./normalize.ts";
import type { Column, ConverterSettings } from "./types.ts";

type KeyValue = JsonValue | Uint8Array;

function text(value: JsonValue): string {
  if (value instanceof JsonNumber) return value.text;
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

const UNIT_DIVISOR = { ms: 1000n, us: 1n, ns: 1n } as const;

/** The spellings one key column can have in the sink's id. */
function spellings(col: Column, value: JsonValue, s: ConverterSettings): KeyValue[] {
  if (col.array) throw unsupported(col);
  switch (col.kind) {
    case "integer":
      return [new JsonNumber(text(value))];
    case "text":
    case "boolean":
      return [value];
    case "decimal":
      // Decimal/VariableScaleDecimal with a schema → the exact text at the column's scale (as
      // PostgreSQL prints it); string mode, or no schema → a string.
      if (s.decimalHandling === "double") throw unsupported(col);
      return [new JsonNumber(text(value)), text(value)];
    case "date": {
      if (s.timePrecision === "isostring") return [`${text(value)}Z`];
      const days = isoDateDays(text(value));
      if (days === undefined) throw unsupported(col);
      return [new JsonNumber(String(days))];
    }
    case "timestamp": {
      const unit = temporalUnit("timestamp", col.precision, s.timePrecision);
      const micros = isoInstantMicros(text(value));
      if (unit === "iso" || micros === undefined) throw unsupported(col);
      return [new JsonNumber(String(unit === "ns" ? micros * 1000n : micros / UNIT_DIVISOR[unit]))];
    }
    case "bytes": {
      const bytes = Buffer.from(text(value).replace(/^\\x/, ""), "hex");
      return [
        new Uint8Array(bytes),
        bytes.toString(s.binaryHandling === "base64-url-safe" ? "base64url" : "base64"),
      ];
    }
    default:
      throw unsupported(col);
  }
}

function unsupported(col: Column): ReconcileInputError {
  return new ReconcileInputError(
    `--sample cannot compute item keys for a ${col.array ? "array" : col.type} key column (${col.name}); ` +
      `run without --sample`,
  );
}

/** Every spelling of the row's key values the decoder could have produced, in `key` order. */
function keySpellings(
  key: readonly Column[],
  values: readonly JsonValue[],
  s: ConverterSettings,
): KeyValue[][] {
  let ids: KeyValue[][] = [[]];
  key.forEach((col, i) => {
    const options = spellings(col, values[i] ?? null, s);
    ids = ids.flatMap((prefix) => options.map((o) => [...prefix, o]));
  });
  return ids;
}

/** Candidate item keys (`source:id`) of a row; `values` follow `key` order. */
export function candidateItemKeys(
  source: string,
  key: readonly Column[],
  values: readonly JsonValue[],
  s: ConverterSettings,
): string[] {
  const ids = keySpellings(key, values, s);
  return [...new Set(ids.map((id) => itemKey(source, canonicalJson(id as JsonValue[]))))];
}

/**
 * Candidate item keys of a row as the key attributes the sink writes: under a mapping, its own
 * templates built from each spelling (a spelling the mapping refuses, such as a text spelling of
 * an N key, is no candidate); else the default key's `source:id` under `keyAttribute`.
 */
export function candidateKeys(
  source: string,
  key: readonly Column[],
  values: readonly JsonValue[],
  s: ConverterSettings,
  mapping: TableMapping | undefined,
  keyAttribute: string,
): Item[] {
  if (mapping?.templated !== true) {
    const attribute = mapping?.partition.attribute ?? keyAttribute;
    return candidateItemKeys(source, key, values, s).map((k) => ({ [attribute]: { S: k } }));
  }
  const out: Item[] = [];
  for (const id of keySpellings(key, values, s)) {
    const event: ChangeEvent = {
      op: "u",
      source,
      id: canonicalJson(id as JsonValue[]),
      keyColumns: key.map((col, i) => ({ name: col.name, value: id[i]! })),
      version: "",
      versionScheme: "",
      row: null,
    };
    try {
      out.push(mapping.key(event));
    } catch (err) {
      if (!(err instanceof PoisonError)) throw err;
    }
  }
  return out;
}
