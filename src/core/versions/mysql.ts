// MySQL and MariaDB: `my:EEEE:<binlog file number>:<pos>:<rank>:<row>`, every number padded to 20
// digits. Debezium's binlog source block names the binlog file (`mysql-bin.000042`: the number
// after the last dot grows with every rotation), `pos` the position in that file of the event
// that began the change's transaction, and `row` the change's index among the rows of its rows
// event. <rank> is 0 for snapshot reads and 1 for streamed changes, so at an equal position a
// streamed change wins over a snapshot read.

import { describe, missing, pad } from "./digits.ts";
import type { VersionInput, VersionScheme } from "./scheme.ts";

function derive(input: VersionInput, _options: unknown, e: string): string {
  const source = input.source ?? {};
  const file = source["file"];
  const fileNo = typeof file === "string" ? /\.(\d+)$/.exec(file)?.[1] : undefined;
  if (fileNo === undefined)
    throw missing(`source.file is not a binlog file name ending in .<number> (${describe(file)})`);
  const row = source["row"] ?? 0;
  const rank = input.op === "r" ? "0" : "1";
  const position = `${pad(fileNo, "binlog file number")}:${pad(source["pos"], "source.pos")}`;
  return `my:${e}:${position}:${rank}:${pad(row, "source.row")}`;
}

export const mysql: VersionScheme = { prefix: "my:", derive };
