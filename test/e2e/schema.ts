// The source schema of the end-to-end runs and random values for it: an integer key, a composite key
// whose text half holds separator-like characters, a UUID key; columns of many types with the values
// that break naive pipelines (bigint past 2^53, 40-digit decimals, µs instants, NaN, non-ASCII text,
// TOASTed text and bytea, arrays with NULLs, SQL NULLs).

import { prng } from "../support/workload.ts";

export type Rng = () => number;

/** The seeded PRNG of the fixtures (mulberry32), so a failing run can be replayed. */
export const rng = (seed: number): Rng => prng(seed);

export const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const maybe = <T>(r: Rng, p: number, f: () => T): T | null => (r() < p ? null : f());
const digits = (r: Rng, n: number): string => Array.from({ length: n }, () => String(int(r, 0, 9))).join("");

const WORDS = [
  "Zoë",
  "Ångström",
  "李雷",
  "Ølé 🌍",
  "O'Brien",
  'say "hi"',
  "a:b",
  "x,y",
  "[1]",
  "tab\there",
  "ß",
  "naïve café",
  "",
  "𝔘𝔫𝔦",
  "\\back\\",
];

function text(r: Rng, words = 3): string {
  return Array.from({ length: int(r, 1, words) }, () => pick(r, WORDS)).join(" ");
}

function decimal(r: Rng, intDigits: number, scale: number): string {
  const i = digits(r, int(r, 1, intDigits)).replace(/^0+(?=\d)/, "");
  return `${r() < 0.3 ? "-" : ""}${i}${scale > 0 ? `.${digits(r, scale)}` : ""}`;
}

function bigintPast53(r: Rng): string {
  const magnitude = 2n ** 53n + BigInt(Math.floor(r() * 2 ** 52)) * BigInt(int(r, 1, 1000));
  return (r() < 0.4 ? -magnitude : magnitude).toString();
}

function instant(r: Rng): string {
  const ms = Date.UTC(
    int(r, 1950, 2090),
    int(r, 0, 11),
    int(r, 1, 28),
    int(r, 0, 23),
    int(r, 0, 59),
    int(r, 0, 59),
  );
  const fraction = digits(r, 6);
  const offset = pick(r, ["Z", "+02:00", "-07:30", "+05:45"]);
  return `${new Date(ms).toISOString().slice(0, 19)}.${fraction}${offset}`;
}

function bytes(r: Rng, max: number): Buffer {
  return Buffer.from(Array.from({ length: int(r, 0, max) }, () => int(r, 0, 255)));
}

/** Incompressible text over PostgreSQL's TOAST threshold (~2 kB): stored out of line. */
function toasted(r: Rng): string {
  return Array.from({ length: 300 }, () => Math.floor(r() * 2 ** 52).toString(36)).join("ü");
}

function json(r: Rng): string {
  return JSON.stringify({
    [pick(r, ["k", "ключ", "a:b", 'x,"y"'])]: pick(r, [1, 1.5, -0.25, 0, true, null, "s", [1, 2, 3]]),
    n: `__BIG__${decimal(r, 30, int(r, 0, 10))}`,
    nested: { list: [text(r, 2), int(r, -5, 5)], empty: {}, none: [] },
  }).replace(/"__BIG__(-?[\d.]+)"/, "$1");
}

export function schemaDdl(schema: string): string[] {
  return [
    `CREATE SCHEMA ${schema}`,
    `CREATE TABLE ${schema}.customers (
       id integer PRIMARY KEY, name text NOT NULL, balance numeric(20,4), credit numeric, big bigint,
       active boolean,
       born date, updated_at timestamptz, last_login timestamp, prefs jsonb, tags text[], scores integer[],
       avatar bytea, rating real, ratio double precision, note varchar(200), bio text)`,
    // Unchanged TOASTed columns arrive complete only with FULL (see docs/type-mapping.md).
    `ALTER TABLE ${schema}.customers REPLICA IDENTITY FULL`,
    `CREATE TABLE ${schema}.order_lines (
       order_ref text, line_no integer, qty integer NOT NULL, price numeric(12,2), amounts numeric[],
       shipped_at timestamptz,
       meta json, flags boolean[], PRIMARY KEY (order_ref, line_no))`,
    `CREATE TABLE ${schema}.devices (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(), serial text, firmware bytea, seen_at timestamptz,
       boot_time time,
       temp real, online boolean, period interval)`,
    `CREATE TABLE ${schema}.trunc (id integer PRIMARY KEY, v text)`,
    `CREATE TABLE ${schema}.fence (id integer PRIMARY KEY, n bigint NOT NULL)`,
    `INSERT INTO ${schema}.fence VALUES (1, 0)`,
    `CREATE TABLE ${schema}.debezium_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, ` +
      `data varchar(2048))`,
  ];
}

/** Created while the pipeline runs: the sink's topic pattern must pick its topic up. */
export function lateTableDdl(schema: string): string {
  return (
    `CREATE TABLE ${schema}.audit (id bigint PRIMARY KEY, event text, at timestamptz, payload ` +
    `jsonb, amount numeric(30,10))`
  );
}

export type Values = Record<string, unknown>;

export function customer(r: Rng): Values {
  return {
    name: text(r),
    balance: maybe(r, 0.1, () => decimal(r, 16, 4)),
    credit: maybe(r, 0.1, () =>
      r() < 0.2 ? `${digits(r, 1 + int(r, 0, 8))}.${digits(r, 39)}` : decimal(r, 20, int(r, 0, 12)),
    ),
    big: maybe(r, 0.1, () => bigintPast53(r)),
    active: maybe(r, 0.2, () => r() < 0.5),
    born: maybe(r, 0.1, () => [int(r, 1900, 2030), two(int(r, 1, 12)), two(int(r, 1, 28))].join("-")),
    updated_at: instant(r),
    last_login: maybe(r, 0.2, () => instant(r).slice(0, 26)),
    prefs: maybe(r, 0.1, () => json(r)),
    tags: maybe(r, 0.1, () => Array.from({ length: int(r, 0, 4) }, () => (r() < 0.15 ? null : text(r, 2)))),
    scores: maybe(r, 0.1, () =>
      Array.from({ length: int(r, 0, 5) }, () => (r() < 0.1 ? null : int(r, -1e6, 1e6))),
    ),
    avatar: maybe(r, 0.2, () => (r() < 0.05 ? bytes(r, 6000) : bytes(r, 40))),
    rating: maybe(r, 0.1, () => (r() < 0.05 ? "NaN" : String(Math.fround(r() * 10)))),
    ratio: maybe(r, 0.1, () => (r() < 0.05 ? pick(r, ["Infinity", "-Infinity"]) : String(r() * 1e-7))),
    note: maybe(r, 0.3, () => text(r, 5).slice(0, 200)),
    bio: maybe(r, 0.3, () => (r() < 0.1 ? toasted(r) : text(r, 6))),
  };
}

/** An update of a few random columns (never all: unchanged TOASTed columns must survive). */
export function customerChange(r: Rng): Values {
  const all = customer(r);
  const names = Object.keys(all).filter(() => r() < 0.3);
  return Object.fromEntries((names.length > 0 ? names : ["balance"]).map((n) => [n, all[n]]));
}

/** A number as two digits, zero-padded (hours, minutes, months). */
function two(n: number): string {
  return String(n).padStart(2, "0");
}

export function orderRef(r: Rng, session: number, n: number): string {
  const head = pick(r, ["ord", "o:rd", 'o"1', "o,[", "zé", "订单"]);
  return `${head}:${session}:${n}${pick(r, ["", ",", '"', "[", "]", ":"])}`;
}

export function orderLine(r: Rng): Values {
  return {
    qty: int(r, 1, 1000),
    price: maybe(r, 0.1, () => decimal(r, 10, 2)),
    amounts: maybe(r, 0.2, () =>
      Array.from({ length: int(r, 0, 3) }, () => (r() < 0.1 ? null : decimal(r, 12, int(r, 0, 6)))),
    ),
    shipped_at: maybe(r, 0.4, () => instant(r)),
    meta: maybe(r, 0.3, () => `{ "raw" : ${decimal(r, 3, 3)}, "s": ${JSON.stringify(text(r, 2))} }`),
    flags: maybe(r, 0.3, () => Array.from({ length: int(r, 0, 3) }, () => (r() < 0.2 ? null : r() < 0.5))),
  };
}

export function device(r: Rng): Values {
  return {
    serial: `SN-${digits(r, 8)}`,
    firmware: maybe(r, 0.2, () => bytes(r, 200)),
    seen_at: maybe(r, 0.2, () => instant(r)),
    boot_time: maybe(
      r,
      0.2,
      () => `${[two(int(r, 0, 23)), two(int(r, 0, 59)), two(int(r, 0, 59))].join(":")}.${digits(r, 6)}`,
    ),
    temp: maybe(r, 0.2, () => String(Math.fround(r() * 100 - 40))),
    online: maybe(r, 0.2, () => r() < 0.5),
    period: maybe(
      r,
      0.3,
      () =>
        `${int(r, -2, 30)} months ${int(r, -40, 40)} days ` +
        `${[int(r, -30, 30), two(int(r, 0, 59)), two(int(r, 0, 59))].join(":")}.${digits(r, 6)}`,
    ),
  };
}

export function auditRow(r: Rng): Values {
  return {
    event: text(r, 3),
    at: instant(r),
    payload: maybe(r, 0.2, () => json(r)),
    amount: maybe(r, 0.2, () => decimal(r, 20, 10)),
  };
}

/** `INSERT … VALUES ($1, …)` for one row of named values. */
export function insertSql(table: string, values: Values): { text: string; values: unknown[] } {
  const names = Object.keys(values);
  return {
    text:
      `INSERT INTO ${table} (${names.map((n) => `"${n}"`).join(", ")}) VALUES ` +
      `(${names.map((_, i) => `$${i + 1}`).join(", ")})`,
    values: names.map((n) => values[n]),
  };
}

/** `UPDATE … SET … WHERE <key>` with the key's values after the set values. */
export function updateSql(
  table: string,
  values: Values,
  where: string,
  key: unknown[],
): { text: string; values: unknown[] } {
  const names = Object.keys(values);
  const shifted = where.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + names.length}`);
  return {
    text: `UPDATE ${table} SET ${names.map((n, i) => `"${n}" = $${i + 1}`).join(", ")} WHERE ${shifted}`,
    values: [...names.map((n) => values[n]), ...key],
  };
}
