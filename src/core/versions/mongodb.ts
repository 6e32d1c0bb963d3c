// MongoDB: `mongo:EEEE:<seconds>:<ord>:<rank>:<total order>`, every number padded to 20 digits.
// <seconds> and <ord> are the change's cluster time (the oplog timestamp: seconds and the counter
// within the second); <rank> is 0 for snapshot reads and 1 for streamed changes, so at an equal
// position a streamed change wins over a snapshot read; <total order> is transaction.total_order.
//
// What Debezium (debezium-connector-mongodb) puts in the source block:
//   - MongoDbSourceInfoStructMaker / SourceInfo: `ord` = the cluster time's increment
//     (position().getInc()), `ts_ms` = SourceInfo.timestamp(), which up to 3.3 is the cluster
//     time's seconds × 1000. No field carries the resume token. From 3.4 (DBZ-9683) timestamp()
//     prefers the event's `wallTime` when there is one (MongoDB 6.0+ change events): ts_ms is then
//     a wall clock in milliseconds and the cluster time's seconds are not in the record at all, so
//     a ≥ 3.4 record carrying `wallTime` is refused, never ordered by a clock.
//   - MongoDbSnapshotChangeEventSource: snapshot reads carry the position taken when the snapshot
//     began (initEvent / initFromOpTimeIfNeeded); changes streamed after it have a later one.
//   - The events of one multi-document transaction share one cluster time (MongoDB tells them
//     apart only by the resume token's txnOpIndex). Debezium's `transaction.total_order`
//     (AbstractTransactionStructMaker, provide.transaction.metadata=true) is the event's place in
//     its transaction and breaks that tie; without it two changes of one document in one
//     transaction tie and the second counts `duplicate` (docs/versions.md).
//   - MongoDbOffsetContext.Loader restores the position but starts a `new TransactionContext()`,
//     so after a restart inside a transaction total_order counts again from 1 for the re-emitted
//     events: a later change then re-emitted may tie with, or rank below, an earlier change of
//     the same document already written, and is lost (docs/versions.md).

import { describe, missing, pad } from "./digits.ts";
import { numberText } from "../json.ts";
import type { VersionInput, VersionScheme } from "./scheme.ts";

/** Debezium's `source.version` from which ts_ms is the wall time when `wallTime` is set. */
function wallTimeInTsMs(version: unknown): boolean {
  const m = typeof version === "string" ? /^(\d+)\.(\d+)\./.exec(version) : null;
  if (m === null) return true; // unknown: ts_ms cannot be trusted to be the cluster time
  const major = Number(m[1]);
  return major > 3 || (major === 3 && Number(m[2]) >= 4);
}

function derive(input: VersionInput, _options: unknown, e: string): string {
  const source = input.source ?? {};
  const wallTime = source["wallTime"];
  if (wallTime !== undefined && wallTime !== null && wallTimeInTsMs(source["version"]))
    throw missing(
      "source.ts_ms is MongoDB's wallTime, not the cluster time, in records of Debezium 3.4 and " +
        "later (or of an unknown version) that carry wallTime: the change's position is not in the record",
    );
  const seconds = /^(\d*?)0{3}$|^(0)$/.exec(numberText(source["ts_ms"]) ?? "");
  if (seconds === null)
    throw missing(
      `source.ts_ms is not the cluster time's whole seconds in milliseconds (${describe(source["ts_ms"])})`,
    );
  const sec = pad(seconds[1] || "0", "the cluster time's seconds");
  const order = input.transaction?.["total_order"] ?? 0;
  const rank = input.op === "r" ? "0" : "1";
  return `mongo:${e}:${sec}:${pad(source["ord"], "source.ord")}:${rank}:${pad(order, "transaction.total_order")}`;
}

export const mongodb: VersionScheme = { prefix: "mongo:", derive };
