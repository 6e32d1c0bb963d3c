// Db2: `db2:EEEE:<commit_lsn>:<rank>:<change_lsn>`, LSNs as 32 hex digits (up to 16 bytes). <rank>
// is 0 for snapshot reads and 1 for streamed changes, so at an equal position a streamed change
// wins over a snapshot read.
//
// What Debezium (debezium-connector-db2) puts in the source block:
//   - Db2SourceInfoStructMaker / SourceInfo: `commit_lsn` and `change_lsn` (strings, left out when
//     not available); unlike SQL Server there is no event_serial_no.
//   - Lsn.toString: the bytes in hex with `:` after the 4th and 8th byte; Lsn.compareTo orders
//     them byte by byte (hex-lsn.ts). The columns are CHAR(10) FOR BIT DATA on LUW and may be
//     16 bytes on z/OS, hence 32 digits.
//   - platform/LuwPlatform and platform/ZOsPlatform: commit_lsn is the change table's
//     IBMSNAP_COMMITSEQ (the transaction's commit sequence), change_lsn its IBMSNAP_INTENTSEQ (the
//     change inside it), read `order by IBMSNAP_COMMITSEQ, IBMSNAP_INTENTSEQ`, and
//     Db2StreamingChangeEventSource merges the tables in that order.
//   - Db2SnapshotChangeEventSource.determineSnapshotOffset: snapshot reads carry commit_lsn = the
//     max LSN when the snapshot began and no change_lsn; streaming resumes after it.
// A Connect restart re-emits changes from the stored (commit, change) offset with the same fields.

import { missing } from "./digits.ts";
import { hexLsn } from "./hex-lsn.ts";
import type { VersionInput, VersionScheme } from "./scheme.ts";

/** IBMSNAP_COMMITSEQ / IBMSNAP_INTENTSEQ: at most 16 bytes. */
const LSN_HEX = 32;

function derive(input: VersionInput, _options: unknown, e: string): string {
  const source = input.source ?? {};
  // A snapshot of a database with no change yet has no max LSN to carry: 0, below every change.
  if (input.op !== "r" && (source["commit_lsn"] === undefined || source["commit_lsn"] === null))
    throw missing("source.commit_lsn is absent");
  const commit = hexLsn(source["commit_lsn"], "source.commit_lsn", LSN_HEX);
  const change = hexLsn(source["change_lsn"], "source.change_lsn", LSN_HEX);
  const rank = input.op === "r" ? "0" : "1";
  return `db2:${e}:${commit}:${rank}:${change}`;
}

export const db2: VersionScheme = { prefix: "db2:", derive };
