// Oracle (LogMiner adapter): `ora:EEEE:<commit_scn>:<rank>:<scn>:<rs_id>:<ssn>:<txSeq>`, SCNs and
// counters as 20 decimal digits, rs_id as 20 hex digits. <rank> is 0 for snapshot reads and 1 for
// streamed changes, so at an equal position a streamed change wins over a snapshot read.
//
// What Debezium (debezium-connector-oracle, 3.1 to 3.7) puts in the source block:
//   - OracleSourceInfoStructMaker / SourceInfo: `scn` (the change's own SCN, a decimal string),
//     `commit_scn` (its transaction's commit SCN), `rs_id`, `ssn`, `txSeq` (3.2+), `lcr_position`
//     (XStream only).
//   - 3.1: CommitScn.store writes commit_scn as the commit SCN recorded for the event's redo thread,
//     and AbstractLogMinerEventProcessor.handleCommit records it (recordCommit) before it
//     dispatches the transaction's events: every event carries its own transaction's commit SCN.
//     3.2+: the buffered/unbuffered streaming sources set it per event (setEventCommitScn). SCNs are
//     global across RAC threads, so commit_scn orders transactions in commit order.
//   - LogMinerEventRow: rs_id is LogMiner's RS_ID (trimmed), the redo record's address
//     `0x<log sequence>.<block>.<offset>` — 32-bit, 32-bit and 16-bit hex numbers, growing along
//     the redo stream, so inside one SCN it orders a transaction's changes as they were logged;
//     padded to 8.8.4 digits it compares as a string. ssn is LogMiner's SSN, but
//     OracleOffsetContext.setSsn has no caller, so Debezium always sends 0: it is kept for the
//     day it is filled. txSeq (BufferedLogMinerStreamingChangeEventSource, 3.2+) is the event's
//     index in its transaction, the last tie-breaker; 3.1 does not send it (0).
//   - Snapshots: SelectAllSnapshotQuery reads `AS OF SCN <snapshot scn>` (LogMinerAdapter
//     determineSnapshotOffset), and snapshot reads carry that `scn` and no commit_scn (no redo
//     thread, so CommitScn.store writes none). A flashback read at SCN S shows exactly the
//     transactions committed at or before S, so S is the read's commit position: a transaction
//     in flight across the snapshot (streamed from its start SCN, below S) commits above S and
//     wins; one committed before S is in the read and its replay is stale.
//   - Restarts: LogMiner re-mines from the offset's SCN and a transaction is emitted again whole
//     (3.1) or from its stored txSeq (3.2+), with the same fields: duplicates.
// The XStream adapter (lcr_position) and OpenLogReplicator emit neither rs_id nor a commit SCN per
// event the way LogMiner does, so their records are refused rather than ordered by a guess.

import { describe, missing, pad } from "./digits.ts";
import type { VersionInput, VersionScheme } from "./scheme.ts";

const RS_ID = /^(?:0x)?([0-9a-f]{1,8})\.([0-9a-f]{1,8})\.([0-9a-f]{1,4})$/i;

function rsId(value: unknown): string {
  const m = typeof value === "string" ? RS_ID.exec(value.trim()) : null;
  if (m === null)
    throw missing(`source.rs_id is not a redo address like 0x000e3c.00004d5a.0010 (${describe(value)})`);
  return `${m[1]!.padStart(8, "0")}${m[2]!.padStart(8, "0")}${m[3]!.padStart(4, "0")}`.toLowerCase();
}

const absent = (value: unknown): boolean => value === undefined || value === null;

function derive(input: VersionInput, _options: unknown, e: string): string {
  const source = input.source ?? {};
  if (!absent(source["lcr_position"]))
    throw missing("source.lcr_position is set: records of the XStream adapter are not ordered; use LogMiner");
  const scn = pad(source["scn"], "source.scn");
  const snapshot = input.op === "r";
  if (!snapshot && absent(source["commit_scn"]))
    throw missing("source.commit_scn is absent (only the LogMiner adapter sends it per change)");
  if (!snapshot && absent(source["rs_id"]))
    throw missing("source.rs_id is absent (only the LogMiner adapter sends it per change)");
  const commit = snapshot ? scn : pad(source["commit_scn"], "source.commit_scn");
  // Only a snapshot read gets here without rs_id (checked above): it is below every change at its SCN.
  const rs = absent(source["rs_id"]) ? "0".repeat(20) : rsId(source["rs_id"]);
  const ssn = pad(source["ssn"] ?? 0, "source.ssn");
  const txSeq = pad(source["txSeq"] ?? 0, "source.txSeq");
  return `ora:${e}:${commit}:${snapshot ? "0" : "1"}:${scn}:${rs}:${ssn}:${txSeq}`;
}

export const oracle: VersionScheme = { prefix: "ora:", derive };
