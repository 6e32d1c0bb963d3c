// SQL Server versions over sequences the connector produces (src/core/versions/mssql.ts cites the
// Debezium sources): snapshot overlapping the stream, several changes of one row in one
// transaction, a key change sharing one change LSN, a restart re-emitting, in any order.

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { PoisonError } from "../../../src/core/errors.ts";
import { compareVersions } from "../../../src/core/versions/index.ts";
import { AUTO, anyDelivery, decodeRaw, endState } from "../../support/replay.ts";
import { mssql } from "./fixtures/sqlserver.ts";

const SNAPSHOT_MAX_LSN = "00000025:00000d98:00a2";

// In the order SQL Server committed them.
const history = [
  // The snapshot read id 1 after T1 committed (T1 committed after the snapshot's max LSN).
  mssql("r", null, { id: 1, email: "b@x" }, { commit: SNAPSHOT_MAX_LSN }),
  mssql("r", null, { id: 2, email: "two@x" }, { commit: SNAPSHOT_MAX_LSN }),
  // T1: streamed after the snapshot, already in it.
  mssql(
    "u",
    { id: 1, email: "a@x" },
    { id: 1, email: "b@x" },
    {
      commit: "00000027:00000758:0005",
      change: "00000027:00000758:0003",
      serial: "2",
    },
  ),
  // T2 updates id 1 twice: one commit LSN, two change LSNs.
  mssql(
    "u",
    { id: 1, email: "b@x" },
    { id: 1, email: "c@x" },
    {
      commit: "00000027:00000ac0:0007",
      change: "00000027:00000ac0:0002",
      serial: 2,
    },
  ),
  mssql(
    "u",
    { id: 1, email: "c@x" },
    { id: 1, email: "d@x" },
    {
      commit: "00000027:00000ac0:0007",
      change: "00000027:00000ac0:0004",
      serial: 2,
    },
  ),
  // T3: UPDATE customers SET id = id + 1 — one statement, one __$seqval: deletes (operation 1)
  // before inserts (2), event_serial_no counting up within the shared position.
  mssql("d", { id: 1, email: "d@x" }, null, {
    commit: "00000028:000001f0:0009",
    change: "00000028:000001f0:0003",
    serial: 1,
  }),
  mssql("d", { id: 2, email: "two@x" }, null, {
    commit: "00000028:000001f0:0009",
    change: "00000028:000001f0:0003",
    serial: 2,
  }),
  mssql(
    "c",
    null,
    { id: 2, email: "d@x" },
    {
      commit: "00000028:000001f0:0009",
      change: "00000028:000001f0:0003",
      serial: 3,
    },
  ),
  mssql(
    "c",
    null,
    { id: 3, email: "two@x" },
    {
      commit: "00000028:000001f0:0009",
      change: "00000028:000001f0:0003",
      serial: 4,
    },
  ),
];

test("SQL Server: the history ends at the newest change of every row, in any order, replays included", () => {
  const events = history.map((r) => decodeRaw(r));
  fc.assert(
    fc.property(anyDelivery(events), (order) => {
      assert.deepEqual(endState(order), endState(events));
    }),
  );
  assert.deepEqual(Object.values(endState(events)), [
    "deleted",
    { id: 2, email: "d@x" },
    { id: 3, email: "two@x" },
  ]);
});

test("SQL Server: the layout, LSNs as lower-case hex, the serial number last", () => {
  assert.equal(
    decodeRaw(history[4]!).version,
    "mssql:0000:0000002700000ac00007:1:0000002700000ac00004:00000000000000000002",
  );
  assert.equal(
    decodeRaw(history[0]!).version,
    "mssql:0000:0000002500000d9800a2:0:00000000000000000000:00000000000000000000",
  );
  const upper = mssql(
    "u",
    null,
    { id: 1, email: "x" },
    { commit: "0000002A:00000AC0:00FF", change: "0000002A:00000AC0:00FE" },
  );
  assert.equal(
    decodeRaw(upper).version,
    "mssql:0000:0000002a00000ac000ff:1:0000002a00000ac000fe:00000000000000000000",
  );
});

test("SQL Server: a streamed change at the snapshot's own position wins over the snapshot read", () => {
  const read = decodeRaw(mssql("r", null, { id: 1, email: "a" }, { commit: SNAPSHOT_MAX_LSN })).version;
  const change = decodeRaw(
    mssql(
      "u",
      null,
      { id: 1, email: "b" },
      { commit: SNAPSHOT_MAX_LSN, change: "00000000:00000000:0000", serial: 0 },
    ),
  ).version;
  assert.equal(compareVersions(read, change), -1);
});

test("SQL Server: unusable positions are poison, a snapshot of an empty log is not", () => {
  const bad =
    (at: { commit: string | null; change?: string; serial?: number | string }, op: "u" | "r" = "u") =>
    () =>
      decodeRaw(mssql(op, null, { id: 1, email: "x" }, at));
  assert.throws(
    bad({ commit: null }),
    (e: unknown) =>
      e instanceof PoisonError &&
      e.code === "missing_version" &&
      /source.commit_lsn is absent/.test(e.message),
  );
  const absent = mssql("u", null, { id: 1, email: "x" }, { commit: null });
  delete (absent.value as { source: Record<string, unknown> }).source["commit_lsn"];
  assert.throws(() => decodeRaw(absent), /source.commit_lsn is absent/);
  assert.throws(bad({ commit: "00000027:00000758" }), /source.commit_lsn is not an LSN/);
  assert.throws(bad({ commit: "00000027:00000758:005" }), /source.commit_lsn is not an LSN/);
  assert.throws(bad({ commit: "0000002700000758:0005" }), /source.commit_lsn is not an LSN/);
  assert.throws(bad({ commit: "00000027:00000758:0005", change: "x" }), /source.change_lsn is not an LSN/);
  assert.throws(bad({ commit: "00000027:00000758:000500" }), /more than 10 bytes/);
  assert.throws(bad({ commit: "x00000027:00000758:0005" }), /source.commit_lsn is not an LSN/);
  assert.throws(bad({ commit: "00000027:00000758:0005x" }), /source.commit_lsn is not an LSN/);
  assert.throws(bad({ commit: 27 as unknown as string }), /source.commit_lsn is not an LSN/);
  assert.throws(
    bad({ commit: "00000027:00000758:0005", serial: -1 }),
    /event_serial_no is not a non-negative integer/,
  );
  assert.match(
    decodeRaw(mssql("r", null, { id: 1, email: "x" }, { commit: null })).version,
    /^mssql:0000:0{20}:0:/,
  );
  assert.equal(decodeRaw(history[3]!, { ...AUTO, epoch: 12 }).version.slice(0, 11), "mssql:0012:");
});
