// Db2 versions over sequences the connector produces (src/core/versions/db2.ts cites the Debezium
// sources): snapshot overlapping the stream, several changes of one row in one transaction, a
// restart re-emitting, in any order.

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { anyDelivery, decodeRaw, endState } from "../../support/replay.ts";
import { db2 } from "./fixtures/db2.ts";

const MAX_LSN = "00000025:00000d98:00a2"; // the snapshot's start

const history = [
  db2("r", null, { ID: 1004, EMAIL: "b@x" }, MAX_LSN), // read after T1 committed
  db2(
    "u",
    { ID: 1004, EMAIL: "a@x" },
    { ID: 1004, EMAIL: "b@x" },
    "00000027:00000758:0005",
    "00000027:00000758:0003",
  ),
  // T2: two updates of 1004 under one IBMSNAP_COMMITSEQ, ordered by IBMSNAP_INTENTSEQ.
  db2(
    "u",
    { ID: 1004, EMAIL: "b@x" },
    { ID: 1004, EMAIL: "c@x" },
    "00000027:00000ac0:0007",
    "00000027:00000ac0:0002",
  ),
  db2(
    "u",
    { ID: 1004, EMAIL: "c@x" },
    { ID: 1004, EMAIL: "d@x" },
    "00000027:00000ac0:0007",
    "00000027:00000ac0:0006",
  ),
  // T3: delete and re-insert.
  db2("d", { ID: 1004, EMAIL: "d@x" }, null, "00000028:00000010:0009", "00000028:00000010:0001"),
  db2("c", null, { ID: 1004, EMAIL: "e@x" }, "00000029:00000020:0004", "00000029:00000020:0002"),
];

test("Db2: the history ends at the newest change, in any order, replays included", () => {
  const events = history.map((r) => decodeRaw(r));
  fc.assert(fc.property(anyDelivery(events), (order) => assert.deepEqual(endState(order), endState(events))));
  assert.deepEqual(Object.values(endState(events)), [{ ID: 1004, EMAIL: "e@x" }]);
  // Without the re-insert, the delete is the end.
  assert.deepEqual(Object.values(endState(events.slice(0, 5).reverse())), ["deleted"]);
});

test("Db2: the layout, 32 hex digits per LSN, snapshot reads ranked 0", () => {
  assert.equal(
    decodeRaw(history[3]!).version,
    `db2:0000:${"0".repeat(12)}0000002700000ac00007:1:${"0".repeat(12)}0000002700000ac00006`,
  );
  assert.equal(
    decodeRaw(history[0]!).version,
    `db2:0000:${"0".repeat(12)}0000002500000d9800a2:0:${"0".repeat(32)}`,
  );
  const wide = db2(
    "u",
    null,
    { ID: 1, EMAIL: "x" },
    "00000027:00000ac0:00000000000000ff",
    "ffffffff:ffffffff:ffffffffffffffff",
  );
  assert.equal(
    decodeRaw(wide).version,
    "db2:0000:0000002700000ac000000000000000ff:1:ffffffffffffffffffffffffffffffff",
  );
});

test("Db2: a streamed change without commit_lsn, or an LSN over 16 bytes, is poison", () => {
  assert.throws(() => decodeRaw(db2("u", null, { ID: 1, EMAIL: "x" }, null)), /source.commit_lsn is absent/);
  const absent = db2("u", null, { ID: 1, EMAIL: "x" }, null);
  delete (absent.value as { source: Record<string, unknown> }).source["commit_lsn"];
  assert.throws(() => decodeRaw(absent), /source.commit_lsn is absent/);
  assert.throws(
    () => decodeRaw(db2("u", null, { ID: 1, EMAIL: "x" }, "00000027:00000ac0:0000000000000000ff")),
    /source.commit_lsn has more than 16 bytes/,
  );
  assert.match(decodeRaw(db2("r", null, { ID: 1, EMAIL: "x" }, null)).version, /^db2:0000:0{32}:0:0{32}$/);
});
