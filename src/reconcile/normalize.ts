// The documented type mapping, read backwards: a PostgreSQL value (as `to_json` spells it) and a
// DynamoDB attribute (as the sink stored the Debezium value) both become one canonical string per
// column, so equal values compare equal whatever their spelling. null is SQL NULL (an absent or NULL
// attribute). A value this module cannot read becomes "?<raw>", which equals nothing but itself: an
// unexpected representation is reported as a difference, never silently accepted.

import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { JsonNumber, setOwn, type JsonValue } from "../core/json.ts";
import {
  canonicalDecimal,
  canonicalDouble,
  canonicalFloat4,
  canonicalFloat6,
  canonicalJsonText,
  canonicalJsonValue,
  floorDiv,
  intervalDebeziumMicros,
  intervalExact,
  isoDateDays,
  isoInstantMicros,
  isoInterval,
  timeMicros,
  zonedTimeMicros,
  type IntervalParts,
} from "./canonical.ts";
import type { Column, ConverterSettings, Kind } from "./types.ts";

export type Canon = string | null;

type Unit = "ms" | "us" | "ns" | "iso";
const NANOS: Record<Exclude<Unit, "iso">, bigint> = { ms: 1_000_000n, us: 1000n, ns: 1n };

/** How Debezium spells a time or timestamp column under `time.precision.mode` (PostgreSQL connector). */
export function temporalUnit(
  kind: "time" | "timestamp",
  precision: number,
  mode: ConverterSettings["timePrecision"],
): Unit {
  switch (mode) {
    case "isostring":
      return "iso";
    case "connect":
      return "ms";
    case "microseconds":
      return "us";
    case "nanoseconds":
      return "ns";
    case "adaptive_time_microseconds":
      return kind === "time" || precision > 3 ? "us" : "ms";
    case "adaptive":
      return precision > 3 ? "us" : "ms";
  }
}

function raw(value: unknown): string {
  return `?${value instanceof Uint8Array ? Buffer.from(value).toString("hex") : JSON.stringify(value)}`;
}

function textOf(value: JsonValue): string | undefined {
  if (value instanceof JsonNumber) return value.text;
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return value;
  return undefined;
}

function orRaw(result: string | bigint | undefined, value: unknown): string {
  return result === undefined ? raw(value) : String(result);
}

function intervalCanon(i: IntervalParts | undefined, settings: ConverterSettings): string | undefined {
  if (i === undefined) return undefined;
  return settings.intervalHandling === "numeric" ? String(intervalDebeziumMicros(i)) : intervalExact(i);
}

/** Nanoseconds, floored to the unit the mode keeps (connect mode drops microseconds). */
function keptNanos(micros: bigint | undefined, unit: Unit): string | undefined {
  if (micros === undefined) return undefined;
  const nanos = micros * 1000n;
  if (unit === "iso") return String(nanos);
  return String(floorDiv(nanos, NANOS[unit]) * NANOS[unit]);
}

function sourceScalar(value: JsonValue, col: Column, kind: Kind, s: ConverterSettings): string {
  const text = textOf(value);
  switch (kind) {
    case "integer":
      return orRaw(text === undefined ? undefined : canonicalDecimal(text), value);
    case "decimal":
      if (text === undefined) return raw(value);
      return orRaw(s.decimalHandling === "double" ? canonicalDouble(text) : canonicalDecimal(text), value);
    case "float4":
      return orRaw(text === undefined ? undefined : canonicalFloat4(text), value);
    case "float6":
      return orRaw(text === undefined ? undefined : canonicalFloat6(text), value);
    case "float8":
      return orRaw(text === undefined ? undefined : canonicalDouble(text), value);
    case "boolean":
      return typeof value === "boolean" ? String(value) : raw(value);
    case "date":
      return orRaw(text === undefined ? undefined : isoDateDays(text), value);
    case "timestamp":
      return orRaw(
        text === undefined
          ? undefined
          : keptNanos(isoInstantMicros(text), temporalUnit("timestamp", col.precision, s.timePrecision)),
        value,
      );
    case "timestamptz":
      return orRaw(text === undefined ? undefined : isoInstantMicros(text), value);
    case "time":
      return orRaw(
        text === undefined
          ? undefined
          : keptNanos(timeMicros(text), temporalUnit("time", col.precision, s.timePrecision)),
        value,
      );
    case "timetz":
      return orRaw(text === undefined ? undefined : zonedTimeMicros(text), value);
    case "interval":
      return orRaw(text === undefined ? undefined : intervalCanon(isoInterval(text), s), value);
    case "bytes":
      return typeof value === "string" && value.startsWith("\\x") ? value.slice(2).toLowerCase() : raw(value);
    case "json":
      return typeof value === "string" ? orRaw(canonicalJsonText(value), value) : canonicalJsonValue(value);
    case "text":
      return typeof value === "string" ? value : raw(value);
  }
}

/** A PostgreSQL value, as `json_build_array` wrote it (money cast to numeric, intervals in iso_8601). */
export function fromSource(value: JsonValue, col: Column, settings: ConverterSettings): Canon {
  if (value === null) return null;
  if (!col.array) return sourceScalar(value, col, col.kind, settings);
  if (!Array.isArray(value)) return raw(value);
  return JSON.stringify(value.map((v) => (v === null ? null : sourceScalar(v, col, col.kind, settings))));
}

function itemBytes(attr: AttributeValue, s: ConverterSettings): string | undefined {
  if (attr.B !== undefined) return Buffer.from(attr.B).toString("hex");
  if (attr.S === undefined) return undefined;
  // Without the JsonConverter schema, `bytes` mode leaves Debezium's base64 text in the event.
  if (s.binaryHandling === "hex") return /^[0-9a-fA-F]*$/.test(attr.S) ? attr.S.toLowerCase() : undefined;
  const encoding = s.binaryHandling === "base64-url-safe" ? "base64url" : "base64";
  return Buffer.from(attr.S, encoding).toString("hex");
}

function itemTemporal(
  attr: AttributeValue,
  unit: Unit,
  parse: (t: string) => bigint | undefined,
): string | undefined {
  if (unit === "iso")
    return attr.S === undefined ? undefined : keptNanos(parse(attr.S.replace(/Z$/, "")), unit);
  if (attr.N === undefined || !/^-?\d+$/.test(attr.N)) return undefined;
  return String(BigInt(attr.N) * NANOS[unit]);
}

function itemScalar(attr: AttributeValue, col: Column, kind: Kind, s: ConverterSettings): string {
  const text = attr.N ?? attr.S;
  switch (kind) {
    case "integer":
      return orRaw(text === undefined ? undefined : canonicalDecimal(text), attr);
    case "decimal":
      if (text === undefined) return raw(attr);
      return orRaw(s.decimalHandling === "double" ? canonicalDouble(text) : canonicalDecimal(text), attr);
    case "float4":
      return orRaw(text === undefined ? undefined : canonicalFloat4(text), attr);
    case "float6":
      return orRaw(text === undefined ? undefined : canonicalFloat6(text), attr);
    case "float8":
      return orRaw(text === undefined ? undefined : canonicalDouble(text), attr);
    case "boolean":
      return attr.BOOL === undefined ? raw(attr) : String(attr.BOOL);
    case "date":
      if (attr.N !== undefined)
        return orRaw(/^-?\d+$/.test(attr.N) ? attr.N.replace(/^(-?)0+(?=\d)/, "$1") : undefined, attr);
      return orRaw(attr.S === undefined ? undefined : isoDateDays(attr.S), attr);
    case "timestamp":
      return orRaw(
        itemTemporal(attr, temporalUnit("timestamp", col.precision, s.timePrecision), (t) =>
          isoInstantMicros(t),
        ),
        attr,
      );
    case "time":
      return orRaw(
        itemTemporal(attr, temporalUnit("time", col.precision, s.timePrecision), (t) => timeMicros(t)),
        attr,
      );
    case "timestamptz":
      return orRaw(attr.S === undefined ? undefined : isoInstantMicros(attr.S), attr);
    case "timetz":
      return orRaw(attr.S === undefined ? undefined : zonedTimeMicros(attr.S), attr);
    case "interval":
      if (s.intervalHandling === "numeric")
        return orRaw(attr.N === undefined ? undefined : canonicalDecimal(attr.N), attr);
      return orRaw(attr.S === undefined ? undefined : intervalCanon(isoInterval(attr.S), s), attr);
    case "bytes":
      return orRaw(itemBytes(attr, s), attr);
    case "json":
      // JSON text by default; a native map/list/number with a mapping's jsonColumns (docs/mapping.md).
      return orRaw(attr.S === undefined ? nativeJson(attr) : canonicalJsonText(attr.S), attr);
    case "text":
      return attr.S ?? raw(attr);
  }
}

/** A JSON value stored natively (M, L, N, BOOL, NULL, S inside), as canonical JSON text. */
function nativeJson(attr: AttributeValue): string | undefined {
  const value = (a: AttributeValue): JsonValue | undefined => {
    if (a.M !== undefined) {
      const out: Record<string, JsonValue> = {};
      for (const [k, v] of Object.entries(a.M)) {
        const x = value(v);
        if (x === undefined) return undefined;
        setOwn(out, k, x);
      }
      return out;
    }
    if (a.L !== undefined) {
      const items = a.L.map(value);
      return items.some((x) => x === undefined) ? undefined : (items as JsonValue[]);
    }
    if (a.N !== undefined) return new JsonNumber(a.N);
    if (a.S !== undefined) return a.S;
    if (a.BOOL !== undefined) return a.BOOL;
    if (a.NULL !== undefined) return null;
    return undefined;
  };
  const v = value(attr);
  return v === undefined ? undefined : canonicalJsonValue(v);
}

/** A DynamoDB attribute as the sink wrote it; undefined (absent) reads as NULL. */
export function fromItem(attr: AttributeValue | undefined, col: Column, settings: ConverterSettings): Canon {
  if (attr === undefined || attr.NULL === true) return null;
  if (!col.array) return itemScalar(attr, col, col.kind, settings);
  if (attr.L === undefined) return raw(attr);
  return JSON.stringify(attr.L.map((v) => (v.NULL === true ? null : itemScalar(v, col, col.kind, settings))));
}

/** Canonical text of an attribute that matches no source column (shown as a differing column). */
export function rawAttribute(attr: AttributeValue): Canon {
  if (attr.NULL === true) return null;
  return attr.B !== undefined ? raw(attr.B) : raw(attr);
}
