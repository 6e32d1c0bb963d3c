// MySQL and MariaDB: `my:EEEE:<binlog file number>:<pos>:<rank>:<total order>:<row>`, every
// number padded to 20 digits. What Debezium puts in the source block (debezium-connector-binlog,
// BinlogSourceInfoStructMaker.java and BinlogSourceInfo.java): `file` the binlog file
// (`mysql-bin.000042`: the number after the last dot grows with every rotation), `pos` the
// position of the current binlog event (BinlogOffsetContext.setEventPosition, called per event
// from BinlogStreamingChangeEventSource.handleEvent), `row` the change's index among the rows of
// its rows event (setRowNumber, from handleChange's loop). <rank> is 0 for snapshot reads and 1
// for streamed changes, so at an equal position a streamed change wins over a snapshot read.
//
// binlog_transaction_compression=ON (MySQL 8.0.20+): a transaction is one TRANSACTION_PAYLOAD
// event whose inner events Debezium replays through handleEvent (handleTransactionPayload); it
// moves `pos` only for a header position above 0, which the inner events, unpacked from the
// payload rather than read from the file, do not have (hence its restart by event count below).
// So every change of the transaction keeps the payload event's `pos` while `row` restarts at 0
// in each rows event: two UPDATEs of one row in one such transaction had equal versions, and the
// second was refused as `duplicate` (read from Debezium's code, not yet run against MySQL).
// Debezium restarts inside such a transaction by counting events (the offset's `event`,
// BinlogTransactionPayloadIT), a count it does not put in the message; the
// one index it does emit is `transaction.total_order` (the change's place in its transaction,
// AbstractTransactionStructMaker.java, with provide.transaction.metadata=true). It comes before
// <row>: it grows across the rows events of a transaction, where <row> restarts. Without
// transaction metadata it is 0 and compressed transactions stay ambiguous (docs/versions.md).

import { missing, pad, describe } from "./digits.ts";
import type { VersionInput, VersionScheme } from "./scheme.ts";

function derive(input: VersionInput, _options: unknown, e: string): string {
  const source = input.source ?? {};
  const file = source["file"];
  const fileNo = typeof file === "string" ? /\.(\d+)$/.exec(file)?.[1] : undefined;
  if (fileNo === undefined)
    throw missing(`source.file is not a binlog file name ending in .<number> (${describe(file)})`);
  const row = source["row"] ?? 0;
  const order = input.transaction?.["total_order"] ?? 0;
  const rank = input.op === "r" ? "0" : "1";
  const position = `${pad(fileNo, "binlog file number")}:${pad(source["pos"], "source.pos")}`;
  return `my:${e}:${position}:${rank}:${pad(order, "transaction.total_order")}:${pad(row, "source.row")}`;
}

export const mysql: VersionScheme = { prefix: "my:", derive };
