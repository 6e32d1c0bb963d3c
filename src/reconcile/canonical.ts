// Canonical text of values, so that two representations of the same value compare equal as strings:
// exact decimals (DynamoDB normalizes N text: "1.50" comes back as "1.5", "1.0E-5" as "0.00001"),
// IEEE floats, JSON values (key order and number spelling do not matter), instants and durations.
// Pure; every parser returns undefined for text it does not understand, and the caller then compares
// the raw text, so an unknown spelling shows up as a difference instead of being guessed at.

import { JsonNumber, isPlainObject, parseJson, type JsonValue } from "../core/json.ts";

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Exact decimal text in plain notation, no leading or trailing zeros, "0" for any zero. */
export function canonicalDecimal(text: string): string | undefined {
  const m = DECIMAL.exec(text.trim());
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  const fraction = m[3] ?? "";
  let digits = `${m[2]}${fraction}`.replace(/^0+/, "");
  if (digits === "") return "0";
  // value = digits × 10^exp
  let exp = Number(m[4] ?? "0") - fraction.length;
  const trimmed = digits.replace(/0+$/, "");
  exp += digits.length - trimmed.length;
  digits = trimmed;
  const sign = m[1] === "-" ? "-" : "";
  if (exp >= 0) return `${sign}${digits}${"0".repeat(exp)}`;
  const point = digits.length + exp;
  return point > 0
    ? `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
    : `${sign}0.${"0".repeat(-point)}${digits}`;
}

const SPECIAL_FLOATS: Record<string, number> = {
  NaN: NaN,
  Infinity: Infinity,
  "-Infinity": -Infinity,
  infinity: Infinity,
  "-infinity": -Infinity,
};

function floatOf(text: string): number | undefined {
  if (text in SPECIAL_FLOATS) return SPECIAL_FLOATS[text];
  return DECIMAL.test(text.trim()) ? Number(text) : undefined;
}

/** A double's canonical text: two spellings of the same IEEE value ("1.0E-5", "1e-05") agree. */
export function canonicalDouble(text: string): string | undefined {
  const n = floatOf(text);
  return n === undefined ? undefined : String(n);
}

/** A float4's canonical text: compared after rounding to single precision, as PostgreSQL stores it. */
export function canonicalFloat4(text: string): string | undefined {
  const n = floatOf(text);
  return n === undefined ? undefined : String(Math.fround(n));
}

/**
 * A MySQL/MariaDB FLOAT's canonical text: rounded to 6 significant digits, the precision in which the
 * server prints it (FLT_DIG) and so the most a snapshot read through its text form can carry.
 */
export function canonicalFloat6(text: string): string | undefined {
  const n = floatOf(text);
  if (n === undefined) return undefined;
  return Number.isFinite(n) ? String(Number(Math.fround(n).toPrecision(6))) : String(n);
}

/** JSON value → canonical text: object keys sorted, numbers as exact canonical decimals. */
export function canonicalJsonValue(value: JsonValue): string {
  if (value instanceof JsonNumber) return canonicalDecimal(value.text) ?? value.text;
  if (typeof value === "number") return canonicalDecimal(String(value)) ?? String(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJsonValue(v)).join(",")}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJsonValue(value[k]!)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function canonicalJsonText(text: string): string | undefined {
  try {
    return canonicalJsonValue(parseJson(text));
  } catch {
    return undefined;
  }
}

const DAY_MICROS = 86_400_000_000n;

/**
 * Days since 1970-01-01 of an ISO date (a trailing "Z", as Debezium's isostring mode writes, is accepted).
 */
export function isoDateDays(text: string): bigint | undefined {
  const m = /^(\d{4,})-(\d{2})-(\d{2})Z?$/.exec(text);
  if (!m) return undefined;
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const ms = date.getTime();
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms / 86_400_000);
}

function fractionMicros(fraction: string | undefined): bigint | undefined {
  const f = fraction ?? "";
  // Finer than a microsecond: not PostgreSQL's.
  if (f.length > 6 && /[1-9]/.test(f.slice(6))) return undefined;
  return BigInt(f.padEnd(6, "0").slice(0, 6));
}

/** Microseconds since midnight of `HH:MM:SS[.ffffff]`; 24:00:00 is PostgreSQL's end of day. */
export function timeMicros(text: string): bigint | undefined {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text);
  if (!m) return undefined;
  const f = fractionMicros(m[4]);
  if (f === undefined) return undefined;
  return (BigInt(m[1]!) * 3600n + BigInt(m[2]!) * 60n + BigInt(m[3]!)) * 1_000_000n + f;
}

function offsetMicros(zone: string | undefined): bigint | undefined {
  if (zone === undefined || zone === "" || zone === "Z") return 0n;
  const m = /^([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(zone);
  if (!m) return undefined;
  const seconds = BigInt(m[2]!) * 3600n + BigInt(m[3] ?? "0") * 60n + BigInt(m[4] ?? "0");
  return (m[1] === "-" ? -seconds : seconds) * 1_000_000n;
}

/** Microseconds since the epoch of an ISO timestamp; no zone means UTC (PostgreSQL `timestamp`). */
export function isoInstantMicros(text: string): bigint | undefined {
  const m = /^(\d{4,}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}(?::?\d{2}){0,2})?$/.exec(
    text,
  );
  if (!m) return undefined;
  const days = isoDateDays(m[1]!);
  const time = timeMicros(m[2]!);
  const offset = offsetMicros(m[3]);
  if (days === undefined || time === undefined || offset === undefined) return undefined;
  return days * DAY_MICROS + time - offset;
}

/** A time of day with a zone (`timetz`), as microseconds since midnight UTC. */
export function zonedTimeMicros(text: string): bigint | undefined {
  const m = /^(\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}(?::?\d{2}){0,2})?$/.exec(text);
  if (!m) return undefined;
  const time = timeMicros(m[1]!);
  const offset = offsetMicros(m[2]);
  if (time === undefined || offset === undefined) return undefined;
  return (((time - offset) % DAY_MICROS) + DAY_MICROS) % DAY_MICROS;
}

/** An interval's fields as PostgreSQL splits them (and as pgjdbc's PGInterval hands them to Debezium). */
export type IntervalParts = {
  years: number;
  months: number;
  days: number;
  hours: number;
  minutes: number;
  /** Seconds and the fraction in microseconds, both carrying the sign of the seconds field. */
  wholeSeconds: number;
  micros: number;
};

// PnYnMnWnDTnHnMnS, each part optional and signed; seconds may carry their own sign and a fraction.
const ISO_INTERVAL = new RegExp(
  "^P(?:(-?\\d+)Y)?(?:(-?\\d+)M)?(?:(-?\\d+)W)?(?:(-?\\d+)D)?" +
    "(?:T(?:(-?\\d+)H)?(?:(-?\\d+)M)?(?:(-?)(\\d+)(?:\\.(\\d+))?S)?)?$",
);

/** ISO 8601 duration as PostgreSQL (IntervalStyle iso_8601) and Debezium's string mode write it. */
export function isoInterval(text: string): IntervalParts | undefined {
  const m = ISO_INTERVAL.exec(text);
  if (!m || text === "P" || text.endsWith("T")) return undefined;
  const n = (s: string | undefined): number => Number(s ?? "0");
  // Debezium's string mode derives the seconds from a double and truncates to nanoseconds, writing
  // 2.940204999S for PostgreSQL's 2.940205 s: rounded to PostgreSQL's resolution, the microsecond.
  const nanos = Number((m[9] ?? "").padEnd(9, "0").slice(0, 9));
  let whole = n(m[8]);
  let micros = Math.round(nanos / 1000);
  if (micros === 1_000_000) [whole, micros] = [whole + 1, 0];
  const sign = m[7] === "-" ? -1 : 1;
  return {
    years: n(m[1]),
    months: n(m[2]),
    days: n(m[3]) * 7 + n(m[4]),
    hours: n(m[5]),
    minutes: n(m[6]),
    wholeSeconds: sign * whole,
    micros: sign * micros,
  };
}

/** The exact value: months, days and microseconds (PostgreSQL keeps these three apart). */
export function intervalExact(i: IntervalParts): string {
  const micros =
    ((BigInt(i.hours) * 60n + BigInt(i.minutes)) * 60n + BigInt(i.wholeSeconds)) * 1_000_000n +
    BigInt(i.micros);
  return `${i.years * 12 + i.months}mo${i.days}d${micros}us`;
}

/**
 * Debezium's `interval.handling.mode=numeric` (io.debezium.time.MicroDuration.durationMicros), step
 * by step in doubles as its bytecode does: a month is 365.25 / 12 days, and the microseconds are
 * truncated, so the value is lossy against the source (and sometimes 1 µs under its own formula).
 */
export function intervalDebeziumMicros(i: IntervalParts): bigint {
  const seconds = i.wholeSeconds + i.micros / 1_000_000; // pgjdbc's PGInterval.getSeconds()
  const days = (i.years * 12 + i.months) * (365.25 / 12) + i.days;
  const total = ((days * 24 + i.hours) * 60 + i.minutes) * 60 + seconds;
  return BigInt(Math.trunc(total * 1_000_000));
}

/** Floor division for bigint (BigInt's `/` truncates toward zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}
