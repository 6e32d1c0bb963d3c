// The version of a change: fixed-width decimal text, so that DynamoDB's string comparison (`<` on
// S compares UTF-8 bytes) orders the versions of a row exactly like its changes, with no detour
// through a JS number (PostgreSQL LSNs are 64-bit). One module per source's scheme:
//
//   pg:EEEE:<lastCommitLsn>:<rank>:<lsn>          postgres.ts (source.sequence / source.lsn)
//   my:EEEE:<binlog file no>:<pos>:<rank>:<row>   mysql.ts, MySQL and MariaDB
//   mssql:EEEE:<commit_lsn>:<rank>:<change_lsn>:<event_serial_no>   mssql.ts, SQL Server
//   db2:EEEE:<commit_lsn>:<rank>:<change_lsn>     db2.ts, Db2
//   ora:EEEE:<commit_scn>:<rank>:<scn>:<rs_id>:<ssn>:<txSeq>   oracle.ts, Oracle (LogMiner)
//   mongo:EEEE:<seconds>:<ord>:<rank>:<total order>   mongodb.ts, MongoDB (cluster time)
//   col:EEEE:<column value>:<rank>                column.ts, a configured column
//   ko:EEEE:<kafka offset>                        kafka-offset.ts, explicit opt-in
//
// The scheme prefix (`pg:`…) is checked by the write, so versions of two schemes are never
// compared; EEEE is the operator's epoch, inside the compared text so that raising it wins over
// old items. Each connector with a log position of its own is one module here and one entry in
// BY_CONNECTOR.

import { missing, epochText } from "./digits.ts";
import { column } from "./column.ts";
import { db2 } from "./db2.ts";
import { kafkaOffset } from "./kafka-offset.ts";
import { mssql } from "./mssql.ts";
import { mongodb } from "./mongodb.ts";
import { mysql } from "./mysql.ts";
import { oracle } from "./oracle.ts";
import { postgres } from "./postgres.ts";
import type { Version, VersionInput, VersionScheme } from "./scheme.ts";
import { VersionSource, type DecodeOptions } from "../types.ts";

export type { SourceBlock, Version, VersionInput, VersionScheme } from "./scheme.ts";
export { pad } from "./digits.ts";
export { isoToNanos } from "./iso-time.ts";

/** VERSION_SOURCE=auto: the scheme of each Debezium connector (`source.connector`). */
const BY_CONNECTOR: ReadonlyMap<string, VersionScheme> = new Map([
  ["postgresql", postgres],
  ["mysql", mysql],
  ["mariadb", mysql],
  ["sqlserver", mssql],
  ["db2", db2],
  ["oracle", oracle],
  ["mongodb", mongodb],
]);

function schemeFor(input: VersionInput, options: DecodeOptions): VersionScheme {
  switch (options.versionSource) {
    case VersionSource.kafkaOffset:
      return kafkaOffset;
    case VersionSource.column:
      return column;
    case VersionSource.auto: {
      const connector = input.source?.["connector"];
      const scheme = typeof connector === "string" ? BY_CONNECTOR.get(connector) : undefined;
      if (scheme !== undefined) return scheme;
      throw missing(
        `VERSION_SOURCE=auto reads the positions of Debezium's ${[...BY_CONNECTOR.keys()].join(", ")} ` +
          `connectors, but source.connector is ` +
          `${JSON.stringify(connector ?? null)}; set VERSION_SOURCE=column`,
      );
    }
  }
}

/** Derives the version of one change, as configured. Throws PoisonError when it cannot. */
export function deriveVersion(input: VersionInput, options: DecodeOptions): Version {
  const scheme = schemeFor(input, options);
  return { scheme: scheme.prefix, version: scheme.derive(input, options, epochText(options.epoch)) };
}

/**
 * The one comparison of two versions: -1 when `a` is older, 1 when newer, 0 when equal. Versions
 * are ASCII (digits, letters, `:`), where JS string order (UTF-16 code units) is DynamoDB's order
 * on S (UTF-8 bytes), so this agrees with the `#version < :version` of every conditional write.
 * Versions of two schemes are not ordered: check `schemeOf` first.
 */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** The scheme prefix of a version (`pg:`, `my:`, `mssql:`…), or "" when it has none. */
export function schemeOf(version: string): string {
  const colon = version.indexOf(":");
  return colon < 0 ? "" : version.slice(0, colon + 1);
}
