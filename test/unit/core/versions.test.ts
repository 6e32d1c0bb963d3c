import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { PoisonError } from "../../../src/core/errors.ts";
import { JsonNumber } from "../../../src/core/json.ts";
import {
  compareVersions,
  deriveVersion,
  isoToNanos,
  pad,
  schemeOf,
} from "../../../src/core/versions/index.ts";

const auto = { versionSource: "auto", epoch: 0 } as const;

function pg(op: "c" | "u" | "d" | "r", lastCommit: bigint | null, lsn: bigint): string {
  const sequence = JSON.stringify([lastCommit === null ? null : String(lastCommit), String(lsn)]);
  return deriveVersion(
    {
      op,
      source: { connector: "postgresql", lsn: new JsonNumber(String(lsn)), sequence },
      row: {},
      kafkaOffset: "0",
    },
    auto,
  ).version;
}

test("PostgreSQL versions compare as strings exactly like (lastCommitLsn, rank, lsn), beyond 2^53", () => {
  const lsn = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
  fc.assert(
    fc.property(lsn, lsn, lsn, lsn, (c1, l1, c2, l2) => {
      const a = pg("u", c1, l1);
      const b = pg("u", c2, l2);
      const expected = c1 === c2 ? Math.sign(Number(l1 - l2)) : Math.sign(Number(c1 - c2));
      assert.equal(compareVersions(a, b), expected);
    }),
  );
});

test("at an equal position a streamed change wins over a snapshot read", () => {
  assert.ok(pg("r", 100n, 500n) < pg("u", 100n, 500n));
  // A change whose own LSN precedes the snapshot point but committed after it still wins.
  assert.ok(pg("r", 100n, 500n) < pg("u", 100n, 90n));
});

test("the epoch outranks every log position", () => {
  const e1 = deriveVersion(
    { op: "c", source: { connector: "postgresql", lsn: 1 }, row: {}, kafkaOffset: "0" },
    { versionSource: "auto", epoch: 1 },
  );
  assert.ok(e1.version > pg("c", 2n ** 64n - 1n, 2n ** 64n - 1n));
  assert.equal(e1.scheme, "pg:");
});

test("MySQL versions order by binlog file, position and row", () => {
  const my = (file: string, pos: number, row: number) =>
    deriveVersion(
      { op: "u", source: { connector: "mysql", file, pos, row }, row: {}, kafkaOffset: "0" },
      auto,
    ).version;
  assert.ok(my("mysql-bin.000002", 900, 0) < my("mysql-bin.000003", 4, 0));
  assert.ok(my("mysql-bin.000003", 4, 0) < my("mysql-bin.000003", 4, 1));
  assert.ok(my("mysql-bin.000003", 4, 9) < my("mysql-bin.000003", 10, 0));
});

test("column versions accept integers and ISO timestamps, to the nanosecond", () => {
  const col = (value: unknown) =>
    deriveVersion(
      { op: "u", source: undefined, row: { rev: value as never }, kafkaOffset: "0" },
      { versionSource: "column", versionColumn: "rev", epoch: 0 },
    ).version;
  assert.ok(col(9) < col(10));
  assert.ok(col(new JsonNumber("9007199254740993")) > col(9007199254740992));
  assert.ok(col("2024-01-01T00:00:00.000001Z") > col("2024-01-01T00:00:00Z"));
  assert.equal(isoToNanos("1970-01-01T00:00:01.5Z"), "1500000000");
  assert.throws(() => col(-1), PoisonError);
  assert.throws(() => col("yesterday"), PoisonError);
});

test("missing or unusable positions are poison, with a reason", () => {
  assert.throws(
    () => deriveVersion({ op: "c", source: { connector: "postgresql" }, row: {}, kafkaOffset: "0" }, auto),
    /source.lsn is absent/,
  );
  assert.throws(
    () => deriveVersion({ op: "c", source: { connector: "vitess" }, row: {}, kafkaOffset: "0" }, auto),
    /VERSION_SOURCE=column/,
  );
  assert.throws(
    () =>
      deriveVersion(
        { op: "c", source: undefined, row: {}, kafkaOffset: "0" },
        { versionSource: "column", versionColumn: "v", epoch: 0 },
      ),
    /column "v" is absent/,
  );
  assert.throws(() => pad("123456789012345678901", "x"), /more than 20 digits/);
});

test("Kafka offsets as versions only by opt-in", () => {
  const v = deriveVersion(
    { op: "c", source: undefined, row: {}, kafkaOffset: "42" },
    { versionSource: "kafka-offset", epoch: 0 },
  );
  assert.equal(v.version, "ko:0000:00000000000000000042");
});

// Sequences as Debezium 3.1 emitted them on the local stack (PostgreSQL 15, pgoutput).
const seq = (op: "c" | "u" | "d" | "r", sequence: string, lsn: string | null = null): string =>
  deriveVersion(
    {
      op,
      source: { connector: "postgresql", lsn: lsn === null ? null : new JsonNumber(lsn), sequence },
      row: {},
      kafkaOffset: "0",
    },
    auto,
  ).version;

test("real Debezium: a transaction in flight across the initial snapshot wins over the snapshot read", () => {
  // Its change (lsn 57020208) precedes the snapshot position (57032888); it committed after it, as
  // the first transaction streamed, with no lastCommitLsn — or after another one (second pair).
  assert.ok(seq("u", '[null,"57020208"]') > seq("r", '[null,"57032888"]'));
  assert.ok(seq("u", '["30040752","30036088"]') > seq("r", '[null,"30040064"]'));
});

test("real Debezium: after a re-snapshot (mode always) the first transaction outranks the old stream", () => {
  const earlier = seq("u", '["77714504","77714504"]'); // id 1 streamed before the restart
  const reread = seq("r", '[null,"77714936"]'); // the new snapshot's read of id 1: same state, stale
  const first = seq("u", '[null,"77714976"]'); // the first transaction after it (no lastCommitLsn)
  const next = seq("u", '["77715104","77715104"]');
  assert.ok(reread < earlier, "a snapshot read never outranks a streamed item (README: raise VERSION_EPOCH)");
  assert.ok(first > earlier && first > reread && first < next);
});

test("real Debezium: incremental snapshot reads sit between the changes around their window", () => {
  const read = seq("r", '["26841096","26841096"]'); // source.lsn is null for these
  assert.ok(seq("u", '["26840232","26840232"]') < read);
  assert.ok(read < seq("u", '["26842208","26842208"]'));
});

test("a re-snapshot after a lost slot outranks the old items once VERSION_EPOCH is raised", () => {
  const old = seq("u", '["77714504","77714504"]');
  const reread = deriveVersion(
    {
      op: "r",
      source: { connector: "postgresql", lsn: 5, sequence: '[null,"5"]' },
      row: {},
      kafkaOffset: "0",
    },
    { versionSource: "auto", epoch: 1 },
  ).version;
  assert.ok(reread > old);
});

test("compareVersions agrees with DynamoDB's order on S (UTF-8 bytes) and is antisymmetric", () => {
  const version = fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 9n }));
  fc.assert(
    fc.property(version, version, ([c1, l1], [c2, l2]) => {
      const a = pg("u", c1, l1);
      const b = pg("u", c2, l2);
      const bytes = Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
      assert.equal(compareVersions(a, b), bytes);
      assert.equal(compareVersions(b, a), -bytes || 0);
    }),
  );
  assert.equal(compareVersions("pg:0000:1", "pg:0000:1"), 0);
  assert.equal(schemeOf(pg("u", 1n, 2n)), "pg:");
  assert.equal(schemeOf("col:0000:00000000000000000001:1"), "col:");
  assert.equal(schemeOf("no-scheme"), "");
});

test("VERSION_SOURCE=auto picks the scheme by source.connector, MariaDB as MySQL", () => {
  const of = (connector: string) =>
    deriveVersion(
      { op: "u", source: { connector, file: "mysql-bin.000001", pos: 4, lsn: 9 }, row: {}, kafkaOffset: "0" },
      auto,
    ).scheme;
  assert.equal(of("postgresql"), "pg:");
  assert.equal(of("mysql"), "my:");
  assert.equal(of("mariadb"), "my:");
  assert.throws(() => of("__proto__"), /set VERSION_SOURCE=column/);
});

test("VERSION_SOURCE=auto picks SQL Server, Db2, Oracle and MongoDB by source.connector", () => {
  const source = {
    commit_lsn: "00000027:00000758:0005",
    scn: "2122185",
    commit_scn: "2122185",
    rs_id: "0x000e3c.00004d5a.0010",
    ts_ms: 1558965508000,
    ord: 1,
  };
  const of = (connector: string) =>
    deriveVersion({ op: "u", source: { ...source, connector }, row: {}, kafkaOffset: "0" }, auto);
  const schemes = ["sqlserver", "db2", "oracle", "mongodb"].map((c) => of(c).scheme);
  assert.deepEqual(schemes, ["mssql:", "db2:", "ora:", "mongo:"]);
  for (const c of ["sqlserver", "db2", "oracle", "mongodb"])
    assert.equal(schemeOf(of(c).version), of(c).scheme);
  assert.throws(
    () => of("SQLServer"),
    /Debezium's postgresql, mysql, mariadb, sqlserver, db2, oracle, mongodb connectors, but source.connector is "SQLServer"/,
  );
});

test("source.sequence with unquoted numbers above 2^53 keeps every digit", () => {
  const lsn = 2n ** 63n + 1n; // not a double: JSON.parse would round it to 2^63
  const version = deriveVersion(
    {
      op: "u",
      source: { connector: "postgresql", sequence: `[${lsn - 2n},${lsn}]` },
      row: {},
      kafkaOffset: "0",
    },
    auto,
  ).version;
  assert.equal(version, `pg:0000:${String(lsn - 2n).padStart(20, "0")}:1:${String(lsn).padStart(20, "0")}`);
});
