// Oracle (LogMiner) versions over sequences the connector produces (src/core/versions/oracle.ts
// cites the Debezium sources): a transaction in flight across the snapshot, several changes of one
// row at one SCN, a restart re-emitting a transaction, in any order.

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { PoisonError } from "../../../src/core/errors.ts";
import { compareVersions } from "../../../src/core/versions/index.ts";
import { anyDelivery, decodeRaw, endState } from "../../support/replay.ts";
import { ora } from "./fixtures/oracle.ts";

const S = "1513734"; // the snapshot's AS OF SCN

const history = [
  // T0 committed at 1513720, before the snapshot SCN: the read shows it, and LogMiner, mining from
  // the oldest in-flight transaction's start, may stream it again.
  ora(
    "u",
    { ID: 1004, EMAIL: "a@x" },
    { ID: 1004, EMAIL: "b@x" },
    {
      scn: "1513702",
      commit: "1513720",
      rsId: "0x000e3c.00004d50.0010",
      txId: "05000c00a1040000",
    },
  ),
  ora("r", null, { ID: 1004, EMAIL: "b@x" }, { scn: S }),
  // T1 began before the snapshot (its change at SCN 1513700, below S) and committed after it.
  ora(
    "u",
    { ID: 1004, EMAIL: "b@x" },
    { ID: 1004, EMAIL: "c@x" },
    {
      scn: "1513700",
      commit: "1513754",
      rsId: "0x000e3c.00004d4f.0190",
      txId: "0a001b00c3040000",
    },
  ),
  // T2: three changes of 1004, two of them at one SCN, told apart by the redo address.
  ora(
    "u",
    { ID: 1004, EMAIL: "c@x" },
    { ID: 1004, EMAIL: "d@x" },
    {
      scn: "2122180",
      commit: "2122185",
      rsId: "0x000e3d.00000a12.0010",
      txId: "6.28.807",
    },
  ),
  ora(
    "u",
    { ID: 1004, EMAIL: "d@x" },
    { ID: 1004, EMAIL: "e@x" },
    {
      scn: "2122180",
      commit: "2122185",
      rsId: "0x000e3d.00000a13.0098",
      txId: "6.28.807",
    },
  ),
  ora("d", { ID: 1004, EMAIL: "e@x" }, null, {
    scn: "2122183",
    commit: "2122185",
    rsId: "0x000e3d.00000a20.0010",
    txId: "6.28.807",
  }),
  // T3 re-inserts it.
  ora(
    "c",
    null,
    { ID: 1004, EMAIL: "f@x" },
    {
      scn: "2122190",
      commit: "2122191",
      rsId: "0x000e3d.00000b00.01a0",
      txId: "7.2.912",
    },
  ),
];

test("Oracle: the history ends at the newest change, in any order, restarts' replays included", () => {
  const events = history.map((r) => decodeRaw(r));
  fc.assert(fc.property(anyDelivery(events), (order) => assert.deepEqual(endState(order), endState(events))));
  assert.deepEqual(Object.values(endState(events)), [{ ID: 1004, EMAIL: "f@x" }]);
  assert.deepEqual(Object.values(endState(events.slice(0, 6).reverse())), ["deleted"]);
  // The in-flight transaction outranks the read; the one the read already holds does not.
  assert.equal(compareVersions(events[1]!.version, events[2]!.version), -1);
  assert.equal(compareVersions(events[0]!.version, events[1]!.version), -1);
});

test("Oracle: the layout, the redo address as 8.8.4 hex digits, txSeq last", () => {
  assert.equal(
    decodeRaw(history[4]!).version,
    "ora:0000:00000000000002122185:1:00000000000002122180:00000e3d00000a130098:00000000000000000000:00000000000000000000",
  );
  assert.equal(
    decodeRaw(history[1]!).version,
    `ora:0000:00000000000001513734:0:00000000000001513734:${"0".repeat(20)}:${"0".repeat(20)}:${"0".repeat(20)}`,
  );
  // The documentation's form (no 0x), upper case, and 3.2's txSeq.
  const doc = ora(
    "u",
    null,
    { ID: 1, EMAIL: "x" },
    { scn: "9", commit: "10", rsId: " 001234.00012345.0124 ", txSeq: 3 },
  );
  assert.match(decodeRaw(doc).version, /:00001234000123450124:0{20}:0{19}3$/);
  const upper = ora("u", null, { ID: 1, EMAIL: "x" }, { scn: "9", commit: "10", rsId: "0x00AB.0C.F" });
  assert.match(decodeRaw(upper).version, /:000000ab0000000c000f:/);
  // txSeq orders two events of one transaction that share SCN and redo address.
  const seq = (n: number) =>
    decodeRaw(ora("u", null, { ID: 1, EMAIL: "x" }, { scn: "9", commit: "10", rsId: "0x1.2.3", txSeq: n }))
      .version;
  assert.equal(compareVersions(seq(2), seq(10)), -1);
  // ssn is read (Debezium sends 0 today): it ranks before txSeq.
  const ssn = (n: number, txSeq: number) => {
    const record = ora("u", null, { ID: 1, EMAIL: "x" }, { scn: "9", commit: "10", rsId: "0x1.2.3", txSeq });
    (record.value as { source: Record<string, unknown> }).source["ssn"] = n;
    return decodeRaw(record).version;
  };
  assert.equal(compareVersions(ssn(1, 9), ssn(2, 1)), -1);
});

test("Oracle: XStream and OpenLogReplicator records, and unusable positions, are poison", () => {
  const bad = (op: "u" | "r", at: Parameters<typeof ora>[3]) => () =>
    decodeRaw(ora(op, null, { ID: 1, EMAIL: "x" }, at));
  const poison = (re: RegExp) => (e: unknown) =>
    e instanceof PoisonError && e.code === "missing_version" && re.test(e.message);
  assert.throws(
    bad("u", { scn: "9", commit: "10", rsId: "0x1.2.3", lcr: "000000000012345600000001" }),
    poison(/XStream/),
  );
  assert.throws(bad("r", { scn: "9", lcr: "000000000012345600000001" }), poison(/XStream/));
  assert.throws(bad("u", { scn: "9", rsId: "0x1.2.3" }), poison(/source.commit_scn is absent/));
  assert.throws(bad("u", { scn: "9", commit: "10" }), poison(/source.rs_id is absent/));
  assert.throws(
    bad("u", { scn: "9", commit: "10", rsId: "A.B.C.D" }),
    poison(/source.rs_id is not a redo address/),
  );
  assert.throws(
    bad("u", { scn: "9", commit: "10", rsId: 5 as unknown as string }),
    poison(/source.rs_id is not/),
  );
  assert.throws(bad("u", { scn: "9", commit: "10", rsId: "0x123456789.1.1" }), poison(/source.rs_id is not/));
  assert.throws(bad("u", { scn: "9", commit: "10", rsId: "0x1.1.12345" }), poison(/source.rs_id is not/));
  assert.throws(bad("u", { scn: "x", commit: "10", rsId: "0x1.1.1" }), poison(/source.scn is not/));
  assert.throws(bad("u", { scn: "9", commit: "-1", rsId: "0x1.1.1" }), poison(/source.commit_scn is not/));
  assert.throws(
    bad("u", { scn: "9", commit: "10", rsId: "0x1.1.1", txSeq: -1 }),
    poison(/source.txSeq is not/),
  );
});
