// A configured column (VERSION_SOURCE=column, VERSION_COLUMN): `col:EEEE:<value>:<rank>`, the
// value padded to 20 digits. For sources whose log position the sink does not read (SQL Server,
// Oracle, Db2, MongoDB…) or tables that carry their own row version. The column holds either a
// non-negative integer (a counter, a sequence) or an ISO-8601 timestamp (iso-time.ts).
//
// <rank> orders changes at an equal column value: 0 snapshot read, 1 insert or update, 2 delete.
// A delete's version comes from its before image, which holds the value of the row's last change
// (the database deletes the row as it is: nothing bumps the column), so at rank 1 a delete would
// tie with the update before it and be refused as `duplicate`: the row would stay live forever.
// Rank 2 lets it win at that value and lose to any change at a higher value. Consequences
// (docs/versions.md, "VERSION_SOURCE=column"):
//   - a key deleted and inserted again applies when the new row's value is above the deleted
//     row's (a timestamp, a database sequence); a per-row counter that restarts (rev = 1 again) is
//     older than the tombstone and the insert is `stale`. No field of a Debezium event tells such
//     a re-insert from a replay of the first insert, so the column must never go back for a key.
//   - a delete whose before image lacks the column is poison (`delete_without_version`): under
//     PostgreSQL's REPLICA IDENTITY DEFAULT the before image holds only the key (MySQL:
//     binlog_row_image=MINIMAL). Inventing a value would either lose the delete or make every
//     later re-insert stale; the DLQ keeps the record until the table is set to FULL.

import { describe, missing, pad } from "./digits.ts";
import { isoToNanos } from "./iso-time.ts";
import type { VersionInput, VersionScheme } from "./scheme.ts";
import { PoisonError } from "../errors.ts";
import type { DecodeOptions } from "../types.ts";

const RANK = { r: "0", c: "1", u: "1", d: "2" } as const;

function derive(input: VersionInput, options: DecodeOptions, e: string): string {
  const name = options.versionColumn!;
  const value = input.row?.[name];
  if (value === undefined || value === null) {
    if (input.op === "d") {
      throw new PoisonError(
        "delete_without_version",
        `cannot derive the version of a delete: column ${JSON.stringify(name)} is absent from the ` +
          `before image (PostgreSQL: set REPLICA IDENTITY FULL on the table; MySQL: ` +
          `binlog_row_image=FULL), so the before image carries every column`,
      );
    }
    throw missing(`column ${JSON.stringify(name)} is absent from the after image`);
  }
  const text = typeof value === "string" && !/^\d+$/.test(value) ? isoToNanos(value) : value;
  if (text === undefined) {
    throw missing(
      `column ${JSON.stringify(name)} is neither a non-negative integer nor an ISO-8601 timestamp ` +
        `from 1970 on (${describe(value)})`,
    );
  }
  return `col:${e}:${pad(text, `column ${JSON.stringify(name)}`)}:${RANK[input.op]}`;
}

export const column: VersionScheme = { prefix: "col:", derive };
