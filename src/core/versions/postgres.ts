// PostgreSQL: `pg:EEEE:<lastCommitLsn>:<rank>:<lsn>`, every number padded to 20 digits (LSNs are
// 64-bit, so they never go through a JS number). <rank> is 0 for snapshot reads and 1 for
// streamed changes, so at an equal position a streamed change wins over a snapshot read.
//
// Debezium 3.1 (pgoutput) fills source.sequence = [lastCommitLsn, lsn] — observed on the real
// connector (test/e2e, and the sequences pinned in test/unit/core/versions.test.ts):
//   - streamed changes: lastCommitLsn is the end of the previous transaction's commit record, in
//     commit order, so it orders transactions; lsn orders the changes inside one. A Connect restart
//     restores it from the offsets: re-emitted events carry the same pair (they come back duplicate).
//   - snapshot reads (initial, and snapshot.mode=always): [null, <snapshot position>].
//   - the first transaction streamed after such a snapshot: [null, <its lsn>], and its lsn may be
//     below the snapshot position when it began before the snapshot and committed after it.
//   - incremental snapshot reads: [W, W], W the close-window signal's position; source.lsn is null.
// A null lastCommitLsn counts as 0 for a snapshot read and as the change's own lsn for a streamed
// change. That streamed change then outranks the snapshot read it follows (a position above 0) and
// every earlier change of the same row (a later writer of a row writes its record after the earlier
// writer committed: row locks), and stays below the next transaction (whose lastCommitLsn is past
// its commit); so the first transaction after a re-snapshot is not lost behind items of the earlier
// stream, as it was when a null counted as 0 for every event. What stays out of reach: a snapshot
// read carries no commit position, so it never outranks an item written by streaming
// (lastCommitLsn > 0). Debezium streams from a blocking snapshot's position, so rows changed while
// the connector was down (snapshot.mode=always, a lost slot, a new connector over an existing
// table) need a VERSION_EPOCH raise before that snapshot (docs/versions.md); giving snapshot reads
// their position instead would lose the transaction in flight across every snapshot. Incremental
// snapshots (a signal) are ordered by their window and need nothing.

import { describe, missing, pad } from "./digits.ts";
import { parseJson } from "../json.ts";
import type { VersionInput, VersionScheme } from "./scheme.ts";

function derive(input: VersionInput, _options: unknown, e: string): string {
  const source = input.source ?? {};
  let lastCommit: unknown = null;
  let lsn: unknown = source["lsn"];
  const sequence = source["sequence"];
  if (typeof sequence === "string") {
    // Lossless: Debezium writes the pair as strings today, but an unquoted LSN past 2^53 would be
    // rounded by JSON.parse, and a rounded LSN orders changes wrongly.
    let parsed: unknown;
    try {
      parsed = parseJson(sequence);
    } catch {
      throw missing(`source.sequence is not JSON (${describe(sequence)})`);
    }
    if (!Array.isArray(parsed) || parsed.length !== 2)
      throw missing(`source.sequence is not a pair (${describe(parsed)})`);
    lastCommit = parsed[0] ?? null;
    lsn = parsed[1] ?? lsn;
  }
  if (lsn === undefined || lsn === null) throw missing("source.lsn is absent");
  if (lastCommit === null || lastCommit === undefined) lastCommit = input.op === "r" ? 0 : lsn;
  const rank = input.op === "r" ? "0" : "1";
  return `pg:${e}:${pad(lastCommit, "lastCommitLsn")}:${rank}:${pad(lsn, "source.lsn")}`;
}

export const postgres: VersionScheme = { prefix: "pg:", derive };
