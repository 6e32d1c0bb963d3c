// The LSNs of SQL Server and Db2 as Debezium writes them: the LSN's bytes in hex, unsigned, with a
// `:` after the 4th and the 8th byte (Lsn.toString in debezium-connector-sqlserver and in
// debezium-connector-db2, identical code), e.g. `00000027:00000758:0005` for a 10-byte LSN.
// Debezium compares two LSNs byte by byte (Lsn.compareTo), so the hex digits, lower-cased and
// padded on the left to a fixed width, compare as strings exactly like Debezium compares them.

import { describe, missing } from "./digits.ts";

const LSN = /^([0-9a-f]{8}):([0-9a-f]{8}):((?:[0-9a-f]{2})+)$/i;

/** A Debezium LSN as `width` lower-case hex digits; absent (null) is 0, anything else poison. */
export function hexLsn(value: unknown, what: string, width: number): string {
  if (value === undefined || value === null) return "0".repeat(width);
  const m = typeof value === "string" ? LSN.exec(value) : null;
  if (m === null) throw missing(`${what} is not an LSN like 00000027:00000758:0005 (${describe(value)})`);
  const hex = `${m[1]}${m[2]}${m[3]}`.toLowerCase();
  if (hex.length > width) throw missing(`${what} has more than ${width / 2} bytes`);
  return hex.padStart(width, "0");
}
