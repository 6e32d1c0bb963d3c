// A configured column (VERSION_SOURCE=column, VERSION_COLUMN): `col:EEEE:<value>:<rank>`, the
// value padded to 20 digits. For sources whose log position the sink does not read (SQL Server,
// Oracle, Db2, MongoDB…) or tables that carry their own row version. The column holds either a
// non-negative integer (a counter, a sequence) or an ISO-8601 timestamp, read as microseconds
// since the Unix epoch. <rank> is 0 for snapshot reads and 1 for streamed changes.

import { missing, pad } from "./digits.ts";
import type { VersionInput, VersionScheme } from "./scheme.ts";
import type { DecodeOptions } from "../types.ts";

/** Microseconds since the Unix epoch of an ISO-8601 timestamp, exact to the microsecond. */
export function isoToMicros(text: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]!.replace(" ", "T")}${m[3] ?? "Z"}`);
  if (Number.isNaN(ms) || ms < 0) return undefined;
  const micros = BigInt(ms) * 1000n + BigInt((m[2] ?? "").padEnd(6, "0").slice(0, 6));
  return micros.toString();
}

function derive(input: VersionInput, options: DecodeOptions, e: string): string {
  const name = options.versionColumn!;
  const value = input.row?.[name];
  if (value === undefined || value === null) {
    throw missing(
      `column ${JSON.stringify(name)} is absent from the ${input.op === "d" ? "before" : "after"} image`,
    );
  }
  const text = typeof value === "string" && !/^\d+$/.test(value) ? isoToMicros(value) : value;
  if (text === undefined)
    throw missing(`column ${JSON.stringify(name)} is neither an integer nor an ISO timestamp`);
  const rank = input.op === "r" ? "0" : "1";
  return `col:${e}:${pad(text, `column ${name}`)}:${rank}`;
}

export const column: VersionScheme = { prefix: "col:", derive };
