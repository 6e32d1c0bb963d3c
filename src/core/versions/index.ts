// Versions are fixed-width decimal text so that DynamoDB's string comparison (`<` on S is a
// byte-wise comparison) orders them exactly like the change order of a row, with no detour through
// a JS number (PostgreSQL LSNs are 64-bit). Layout per scheme, every number padded to 20 digits:
//
//   pg:EEEE:<lastCommitLsn>:<rank>:<lsn>     PostgreSQL (source.sequence / source.lsn)
//   my:EEEE:<binlog file no>:<pos>:<rank>:<row>   MySQL / MariaDB
//   col:EEEE:<column value>:<rank>           a configured column (integer or timestamp)
//   ko:EEEE:<kafka offset>                   the Kafka offset (explicit opt-in)
//
// The scheme prefix (`pg:`…) is checked by the write, so versions of two schemes are never compared;
// EEEE is the operator's epoch, inside the compared text so that raising it wins over old items.
// <rank> is 0 for snapshot reads and 1 for streamed changes, so at an equal position a streamed
// change wins over a snapshot read.
//
// PostgreSQL, as Debezium 3.1 (pgoutput) fills source.sequence = [lastCommitLsn, lsn] — observed on
// the real connector (test/e2e, and the sequences pinned in test/unit/core/versions.test.ts):
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
// stream, as it was when a null counted as 0 for every event. What stays
// out of reach: a snapshot read carries no commit position, so it never outranks an item written by
// streaming (lastCommitLsn > 0). Debezium streams from a blocking snapshot's position, so rows
// changed while the connector was down (snapshot.mode=always, a lost slot, a new connector over an
// existing table) need a VERSION_EPOCH raise before that snapshot (README, Re-snapshots); giving
// snapshot reads their position instead would lose the transaction in flight across every snapshot.
// Incremental snapshots (a signal) are ordered by their window and need nothing.

import { PoisonError } from "../errors.ts";
import { numberText, type JsonValue } from "../json.ts";
import { VersionSource, type DecodeOptions, type RowValue } from "../types.ts";

const WIDTH = 20; // 2^64 - 1 has 20 decimal digits

export type SourceBlock = { readonly [key: string]: JsonValue | undefined };

export type VersionInput = {
  readonly op: "c" | "u" | "d" | "r";
  readonly source: SourceBlock | undefined;
  readonly row: { readonly [column: string]: RowValue } | null | undefined;
  readonly kafkaOffset: string;
};

export type Version = { readonly scheme: string; readonly version: string };

function missing(what: string): PoisonError {
  return new PoisonError("missing_version", `cannot derive a version: ${what}`);
}

/** A non-negative integer as 20-digit text; anything else is a poison record. */
export function pad(value: unknown, what: string): string {
  const text = numberText(value);
  if (text === undefined || !/^\d+$/.test(text))
    throw missing(`${what} is not a non-negative integer (${String(value)})`);
  const digits = text.replace(/^0+(?=\d)/, "");
  if (digits.length > WIDTH) throw missing(`${what} has more than ${WIDTH} digits`);
  return digits.padStart(WIDTH, "0");
}

function epochText(epoch: number): string {
  return String(epoch).padStart(4, "0");
}

function rank(op: VersionInput["op"]): string {
  return op === "r" ? "0" : "1";
}

function postgres(input: VersionInput, e: string): Version {
  const source = input.source!;
  let lastCommit: unknown = null;
  let lsn: unknown = source["lsn"];
  const sequence = source["sequence"];
  if (typeof sequence === "string") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(sequence);
    } catch {
      throw missing(`source.sequence is not JSON (${sequence})`);
    }
    if (!Array.isArray(parsed) || parsed.length !== 2)
      throw missing(`source.sequence is not a pair (${sequence})`);
    lastCommit = parsed[0] ?? null;
    lsn = parsed[1] ?? lsn;
  }
  if (lsn === undefined || lsn === null) throw missing("source.lsn is absent");
  if (lastCommit === null || lastCommit === undefined) lastCommit = input.op === "r" ? 0 : lsn;
  return {
    scheme: "pg:",
    version: `pg:${e}:${pad(lastCommit, "lastCommitLsn")}:${rank(input.op)}:${pad(lsn, "source.lsn")}`,
  };
}

function mysql(input: VersionInput, e: string): Version {
  const source = input.source!;
  const file = source["file"];
  const fileNo = typeof file === "string" ? /\.(\d+)$/.exec(file)?.[1] : undefined;
  if (fileNo === undefined)
    throw missing(`source.file is not a binlog file name (${JSON.stringify(file ?? null)})`);
  const row = source["row"] ?? 0;
  return {
    scheme: "my:",
    version: `my:${e}:${pad(fileNo, "binlog file number")}:${pad(source["pos"], "source.pos")}:${rank(input.op)}:${pad(row, "source.row")}`,
  };
}

/** Microseconds since the Unix epoch of an ISO-8601 timestamp, exact to the microsecond. */
export function isoToMicros(text: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]!.replace(" ", "T")}${m[3] ?? "Z"}`);
  if (Number.isNaN(ms) || ms < 0) return undefined;
  const micros = BigInt(ms) * 1000n + BigInt((m[2] ?? "").padEnd(6, "0").slice(0, 6));
  return micros.toString();
}

function column(input: VersionInput, options: DecodeOptions, e: string): Version {
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
  return { scheme: "col:", version: `col:${e}:${pad(text, `column ${name}`)}:${rank(input.op)}` };
}

/** Derives the version of one change, as configured. Throws PoisonError when it cannot. */
export function deriveVersion(input: VersionInput, options: DecodeOptions): Version {
  const e = epochText(options.epoch);
  switch (options.versionSource) {
    case VersionSource.kafkaOffset:
      return { scheme: "ko:", version: `ko:${e}:${pad(input.kafkaOffset, "kafka offset")}` };
    case VersionSource.column:
      return column(input, options, e);
    case VersionSource.auto: {
      const connector = input.source?.["connector"];
      if (connector === "postgresql") return postgres(input, e);
      if (connector === "mysql" || connector === "mariadb") return mysql(input, e);
      throw missing(
        `VERSION_SOURCE=auto reads PostgreSQL and MySQL/MariaDB positions, but source.connector is ${JSON.stringify(connector ?? null)}; set VERSION_SOURCE=column`,
      );
    }
  }
}
