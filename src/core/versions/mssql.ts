// SQL Server: `mssql:EEEE:<commit_lsn>:<rank>:<change_lsn>:<event_serial_no>`, LSNs as 20 hex
// digits (10 bytes), event_serial_no as 20 decimal digits. <rank> is 0 for snapshot reads and 1
// for streamed changes, so at an equal position a streamed change wins over a snapshot read.
//
// What Debezium (debezium-connector-sqlserver, 3.1 to 3.7) puts in the source block:
//   - SqlServerSourceInfoStructMaker / SourceInfo: `commit_lsn`, `change_lsn` (strings, left out
//     when not available) and `event_serial_no` (int64, left out when null).
//   - Lsn.toString: 10 bytes in hex, `xxxxxxxx:xxxxxxxx:xxxx`; Lsn.compareTo orders them byte by
//     byte (hex-lsn.ts).
//   - SqlServerChangeTablePointer.getNextChangePosition: commit_lsn is the change table's
//     `__$start_lsn` (the commit LSN of the change's transaction), change_lsn its `__$seqval` (the
//     change's place inside the transaction). SqlServerConnection reads them ORDER BY
//     __$start_lsn, __$seqval, __$operation, and SqlServerStreamingChangeEventSource emits every
//     table's changes merged in that order (TxLogPosition.compareTo: commit, then change LSN).
//   - SqlServerOffsetContext.setChangePosition: event_serial_no restarts at 1 (2 for an update,
//     whose before and after rows are one event) at every new (commit, change) position and grows
//     when the next change has the same position, e.g. the delete and insert a key change
//     produces: it orders changes that share both LSNs.
//   - SqlServerSnapshotChangeEventSource.determineSnapshotOffset: snapshot reads carry
//     commit_lsn = the database's max LSN when the snapshot began and no change_lsn. Streaming
//     resumes after that position, so a change committed later has a higher commit_lsn and wins;
//     one the snapshot already read has a lower one and is stale.
// A Connect restart re-emits changes from the stored (commit, change, serial) offset: they come
// back with the same fields and end `duplicate`.

import { missing, pad } from "./digits.ts";
import { hexLsn } from "./hex-lsn.ts";
import type { VersionInput, VersionScheme } from "./scheme.ts";

/** A SQL Server LSN is 10 bytes. */
const LSN_HEX = 20;

function derive(input: VersionInput, _options: unknown, e: string): string {
  const source = input.source ?? {};
  // A snapshot of a database with no change yet has no max LSN to carry: 0, below every change.
  if (input.op !== "r" && (source["commit_lsn"] === undefined || source["commit_lsn"] === null))
    throw missing("source.commit_lsn is absent");
  const commit = hexLsn(source["commit_lsn"], "source.commit_lsn", LSN_HEX);
  const change = hexLsn(source["change_lsn"], "source.change_lsn", LSN_HEX);
  const serial = pad(source["event_serial_no"] ?? 0, "source.event_serial_no");
  const rank = input.op === "r" ? "0" : "1";
  return `mssql:${e}:${commit}:${rank}:${change}:${serial}`;
}

export const mssql: VersionScheme = { prefix: "mssql:", derive };
