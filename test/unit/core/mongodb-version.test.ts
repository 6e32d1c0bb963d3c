// MongoDB versions over sequences the connector produces (src/core/versions/mongodb.ts cites the
// Debezium sources): snapshot overlapping the stream, a transaction changing one document twice
// (one cluster time, told apart by transaction.total_order), delete and re-insert, in any order.

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { PoisonError } from "../../../src/core/errors.ts";
import { compareVersions } from "../../../src/core/versions/index.ts";
import { anyDelivery, decodeRaw, endState } from "../../support/replay.ts";
import { customer, mongo, type MongoAt } from "./fixtures/mongodb.ts";

const START = { sec: 1558965508, ord: 1, snapshot: true }; // the snapshot's start position

const history = [
  mongo("r", "1004", customer(1004, "Anne"), START),
  mongo("r", "1005", customer(1005, "Edward"), START),
  // Changed while the snapshot ran (after its start): the read may or may not show it.
  mongo("u", "1004", customer(1004, "Anne Marie"), { sec: 1558965509, ord: 3 }),
  // One transaction: 1004 twice and 1005, all at one cluster time.
  mongo("u", "1004", customer(1004, "Anna"), { sec: 1558965515, ord: 1, totalOrder: 1 }),
  mongo("u", "1005", customer(1005, "Ed"), { sec: 1558965515, ord: 1, totalOrder: 2 }),
  mongo("u", "1004", customer(1004, "Ann"), { sec: 1558965515, ord: 1, totalOrder: 3 }),
  mongo("d", "1005", null, { sec: 1558965520, ord: 1 }),
  mongo("c", "1005", customer(1005, "Eddie"), { sec: 1558965521, ord: 4 }),
];

test("MongoDB: the history ends at the newest change of every document, in any order, replays included", () => {
  const events = history.map((r) => decodeRaw(r));
  fc.assert(fc.property(anyDelivery(events), (order) => assert.deepEqual(endState(order), endState(events))));
  const names = Object.values(endState(events)).map((row) => (row === "deleted" ? row : row["first_name"]));
  assert.deepEqual(names, ["Ann", "Eddie"]);
  assert.deepEqual(
    Object.values(endState(events.slice(0, 7).reverse()))
      .map((row) => (row === "deleted" ? row : row["first_name"]))
      .sort(),
    ["Ann", "deleted"],
  );
});

const version = (op: "r" | "u", at: MongoAt, epoch = 0) =>
  decodeRaw(mongo(op, "1", customer(1, "x"), at), { versionSource: "auto", epoch }).version;

test("MongoDB: the layout, cluster time seconds and increment, rank, total order", () => {
  assert.equal(
    version("u", { sec: 1558965515, ord: 1, totalOrder: 3 }),
    "mongo:0000:00000000001558965515:00000000000000000001:1:00000000000000000003",
  );
  assert.equal(
    version("r", START, 7),
    "mongo:0007:00000000001558965508:00000000000000000001:0:00000000000000000000",
  );
  assert.equal(compareVersions(version("r", START), version("u", { ...START, snapshot: false })), -1);
  assert.match(version("u", { sec: 0, ord: 0 }), /^mongo:0000:0{20}:0{20}:1:/);
});

test("MongoDB: without transaction metadata two changes of one document in one transaction tie", () => {
  // The documented limit (docs/versions.md): set provide.transaction.metadata=true.
  assert.equal(compareVersions(version("u", { sec: 9, ord: 1 }), version("u", { sec: 9, ord: 1 })), 0);
  // After a restart inside a transaction Debezium counts total_order from 1 again
  // (MongoDbOffsetContext.Loader): the re-emitted third change ties with the stored first one.
  assert.equal(
    compareVersions(
      version("u", { sec: 9, ord: 1, totalOrder: 1 }),
      version("u", { sec: 9, ord: 1, totalOrder: 1 }),
    ),
    0,
  );
});

test("MongoDB: ts_ms that is not the cluster time is refused", () => {
  const poison = (re: RegExp) => (e: unknown) =>
    e instanceof PoisonError && e.code === "missing_version" && re.test(e.message);
  // 3.4+ puts wallTime into ts_ms when the event has one.
  assert.throws(
    () => version("u", { sec: 9, ord: 1, version: "3.4.0.Final", wallTime: 9123, tsMs: 9123 }),
    poison(/wallTime/),
  );
  assert.throws(
    () => version("u", { sec: 9, ord: 1, version: "4.0.0.Final", wallTime: 9000 }),
    poison(/wallTime/),
  );
  assert.throws(() => version("u", { sec: 9, ord: 1, version: "dev", wallTime: 9000 }), poison(/wallTime/));
  // Before 3.4 ts_ms stays the cluster time whatever wallTime says; without wallTime in any version.
  assert.match(
    version("u", { sec: 9, ord: 1, version: "3.3.2.Final", wallTime: 9123 }),
    /^mongo:0000:0{19}9:/,
  );
  assert.match(version("u", { sec: 9, ord: 1, version: "3.4.1.Final" }), /^mongo:0000:0{19}9:/);
  const nullWallTime = mongo("u", "1", customer(1, "x"), { sec: 9, ord: 1, version: "3.5.0.Final" });
  (nullWallTime.value as { source: Record<string, unknown> }).source["wallTime"] = null;
  assert.match(decodeRaw(nullWallTime).version, /^mongo:0000:0{19}9:/);
  assert.match(version("u", { sec: 9, ord: 1, version: "2.7.0.Final", wallTime: 1 }), /^mongo:0000:0{19}9:/);
  assert.throws(() => version("u", { sec: 9, ord: 1, tsMs: 9123 }), poison(/source.ts_ms is not/));
  assert.throws(
    () => version("u", { sec: 9, ord: 1, tsMs: "0123" as unknown as number }),
    poison(/source.ts_ms is not/),
  );
  assert.throws(
    () => version("u", { sec: 9, ord: 1, version: "v3.1.0.Final", wallTime: 9000 }),
    poison(/wallTime/),
  );
  assert.match(
    version("u", { sec: 9, ord: 1, version: "2.10.0.Final", wallTime: 9123 }),
    /^mongo:0000:0{19}9:/,
  );
  assert.throws(() => version("u", { sec: 9, ord: 1, tsMs: -1000 }), poison(/source.ts_ms is not/));
  assert.throws(() => version("u", { sec: 9, ord: -1 }), poison(/source.ord is not/));
  assert.throws(() => version("u", { sec: 9, ord: 1, totalOrder: -2 }), poison(/total_order is not/));
});
