// MySQL/MariaDB versions, and binlog_transaction_compression=ON: Debezium replays the events of a
// compressed transaction from one TRANSACTION_PAYLOAD event, so they share its `pos`, and `row`
// restarts at 0 in every rows event (src/core/versions/mysql.ts cites the Debezium sources).

import assert from "node:assert/strict";
import { test } from "node:test";
import type { JsonValue } from "../../../src/core/json.ts";
import { compareVersions, deriveVersion } from "../../../src/core/versions/index.ts";

const auto = { versionSource: "auto", epoch: 0 } as const;

function my(pos: number, row: number, totalOrder?: number, op: "u" | "r" = "u"): string {
  const transaction: Record<string, JsonValue> | undefined =
    totalOrder === undefined
      ? undefined
      : { id: "3e11fa47-71ca-11e1-9e33-c80aa9429562:23", total_order: totalOrder };
  return deriveVersion(
    {
      op,
      source: { connector: "mysql", file: "mysql-bin.000003", pos, row },
      transaction,
      row: {},
      kafkaOffset: "0",
    },
    auto,
  ).version;
}

test("two updates of one row in one compressed transaction are ordered by transaction.total_order", () => {
  // Same pos (the payload event's), row 0 in each rows event: only total_order tells them apart.
  assert.equal(compareVersions(my(4000, 0, 1), my(4000, 0, 3)), -1);
  // …and it outranks the row index: event 1 row 5 came before event 2 row 0.
  assert.equal(compareVersions(my(4000, 5, 6), my(4000, 0, 7)), -1);
});

test("the binlog position still orders transactions, whatever their total_order", () => {
  assert.equal(compareVersions(my(4000, 0, 9), my(5000, 0, 1)), -1);
  assert.equal(compareVersions(my(4000, 9), my(5000, 0)), -1);
  assert.equal(compareVersions(my(4000, 1), my(4000, 2)), -1, "without metadata, rows of one event");
});

test("a snapshot read ranks below a streamed change at the same position", () => {
  assert.equal(compareVersions(my(4000, 0, undefined, "r"), my(4000, 0, 1)), -1);
});
