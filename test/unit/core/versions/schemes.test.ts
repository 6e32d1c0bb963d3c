// The exact text of each scheme's version (src/core/versions/{kafka-offset,mysql,column}.ts): it is
// stored in every item and compared by every conditional write, so its layout is behaviour — a
// changed prefix or field order would make old and new versions of one row incomparable.

import assert from "node:assert/strict";
import { test } from "node:test";
import { PoisonError } from "../../../../src/core/errors.ts";
import { JsonNumber, type JsonValue } from "../../../../src/core/json.ts";
import type { RowValue } from "../../../../src/core/types.ts";
import { compareVersions, deriveVersion, schemeOf } from "../../../../src/core/versions/index.ts";

const z = (n: number | string) => String(n).padStart(20, "0");

function poison(fn: () => unknown): PoisonError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PoisonError, String(err));
    return err;
  }
  assert.fail("no PoisonError thrown");
}

const offset = (kafkaOffset: string, epoch = 0) =>
  deriveVersion(
    { op: "u", source: undefined, row: null, kafkaOffset },
    { versionSource: "kafka-offset", epoch },
  );

test("kafka-offset: ko:EEEE:<offset>, whatever the op, source or row", () => {
  assert.deepEqual(offset("9223372036854775807", 12), {
    scheme: "ko:",
    version: `ko:0012:${z("9223372036854775807")}`,
  });
  assert.equal(offset("0").version, `ko:0000:${z(0)}`);
  assert.equal(compareVersions(offset("9").version, offset("10").version), -1);
  const err = poison(() => offset("-1"));
  assert.equal(err.code, "missing_version");
  assert.match(err.message, /kafka offset is not a non-negative integer/);
});

type MySource = { [key: string]: JsonValue | undefined };
const my = (source: MySource, op: "c" | "u" | "d" | "r" = "u", transaction?: MySource, epoch = 0) =>
  deriveVersion(
    { op, source: { connector: "mysql", ...source }, transaction, row: {}, kafkaOffset: "0" },
    { versionSource: "auto", epoch },
  );

test("mysql: my:EEEE:<file no>:<pos>:<rank>:<total_order>:<row>", () => {
  const v = my({ file: "mysql-bin.000042", pos: 1234, row: 3 }, "u", { total_order: 7 }, 5);
  assert.deepEqual(v, { scheme: "my:", version: `my:0005:${z(42)}:${z(1234)}:1:${z(7)}:${z(3)}` });
  // No row, no transaction block: both count as 0. Creates and deletes rank 1 like updates.
  assert.equal(my({ file: "binlog.7", pos: 4 }, "c").version, `my:0000:${z(7)}:${z(4)}:1:${z(0)}:${z(0)}`);
  assert.equal(my({ file: "binlog.7", pos: 4 }, "d").version, `my:0000:${z(7)}:${z(4)}:1:${z(0)}:${z(0)}`);
  assert.equal(my({ file: "binlog.7", pos: 4 }, "r").version, `my:0000:${z(7)}:${z(4)}:0:${z(0)}:${z(0)}`);
  // Exact beyond 2^53: positions arrive as JsonNumbers.
  const big = new JsonNumber("18446744073709551615");
  assert.equal(
    my({ file: "b.1", pos: big, row: big }).version,
    `my:0000:${z(1)}:${big.text}:1:${z(0)}:${big.text}`,
  );
});

test("mysql: the file number is the digits after the last dot, and rotations order numerically", () => {
  assert.equal(my({ file: "host.name-bin.000123", pos: 4 }).version.split(":")[2], z(123));
  assert.equal(
    compareVersions(my({ file: "b.999999", pos: 4 }).version, my({ file: "b.1000000", pos: 4 }).version),
    -1,
  );
  for (const file of ["mysql-bin", "mysql-bin.", "mysql-bin.00a", "mysql-bin.1x", 42, 1.5, null, undefined]) {
    const err = poison(() => my({ file, pos: 4 }));
    assert.equal(err.code, "missing_version", String(file));
    assert.match(err.message, /source\.file is not a binlog file name ending in \.<number>/);
  }
});

test("mysql: a missing or unusable pos, row or total_order is poison naming the field", () => {
  assert.match(poison(() => my({ file: "b.1" })).message, /source\.pos is not a non-negative integer/);
  assert.match(poison(() => my({ file: "b.1", pos: 4, row: -1 })).message, /source\.row is not/);
  assert.match(
    poison(() => my({ file: "b.1", pos: 4 }, "u", { total_order: 1.5 })).message,
    /transaction\.total_order is not/,
  );
});

test("MariaDB's connector (Debezium 3: `mariadb`) takes the MySQL path", () => {
  const source = { file: "mariadb-bin.000002", pos: 385, row: 1 };
  const maria = deriveVersion(
    { op: "u", source: { connector: "mariadb", ...source }, row: {}, kafkaOffset: "0" },
    { versionSource: "auto", epoch: 0 },
  );
  assert.deepEqual(maria, my(source));
  assert.equal(maria.version, `my:0000:${z(2)}:${z(385)}:1:${z(0)}:${z(1)}`);
});

const col = (op: "c" | "u" | "d" | "r", value: RowValue | undefined, epoch = 0) =>
  deriveVersion(
    { op, source: undefined, row: value === undefined ? {} : { rev: value }, kafkaOffset: "0" },
    { versionSource: "column", versionColumn: "rev", epoch },
  );

test("column: col:EEEE:<value>:<rank>, rank 0 read, 1 insert or update, 2 delete", () => {
  assert.deepEqual(col("r", 5, 3), { scheme: "col:", version: `col:0003:${z(5)}:0` });
  assert.equal(col("c", 5).version, `col:0000:${z(5)}:1`);
  assert.equal(col("u", 5).version, `col:0000:${z(5)}:1`);
  assert.equal(col("d", 5).version, `col:0000:${z(5)}:2`);
  // Digits as text are a counter, not a timestamp; a timestamp is its nanoseconds.
  assert.equal(col("u", "0042").version, `col:0000:${z(42)}:1`);
  assert.equal(col("u", "1970-01-01T00:00:01Z").version, `col:0000:${z(1_000_000_000)}:1`);
  assert.equal(col("u", new JsonNumber("18446744073709551615")).version, "col:0000:18446744073709551615:1");
});

test("column: an absent or null value is poison; for a delete it names REPLICA IDENTITY FULL", () => {
  for (const value of [undefined, null]) {
    const update = poison(() => col("u", value));
    assert.equal(update.code, "missing_version");
    assert.match(update.message, /column "rev" is absent from the after image/);
    assert.equal(poison(() => col("d", value)).code, "delete_without_version");
    assert.equal(poison(() => col("c", value)).code, "missing_version");
    assert.equal(poison(() => col("r", value)).code, "missing_version");
  }
});

test("column: a fractional or exponent value is never read as a counter", () => {
  for (const value of [
    2.5,
    new JsonNumber("2.0"),
    new JsonNumber("1e3"),
    "1e3",
    "10.5",
    -3,
    true,
    "",
    "12 ",
  ]) {
    const err = poison(() => col("u", value));
    assert.equal(err.code, "missing_version", String(value));
    assert.match(
      err.message,
      /column "rev" (is neither a non-negative integer nor an ISO-8601 timestamp from 1970 on|is not a non-negative integer)/,
    );
  }
  // A string that is not digits goes to the timestamp reader; one it refuses says so, by shape only.
  const err = poison(() => col("u", "10.5"));
  assert.match(
    err.message,
    /neither a non-negative integer nor an ISO-8601 timestamp from 1970 on \(a string of 4 characters\)/,
  );
  assert.doesNotMatch(err.message, /10\.5/);
});

const pgv = (source: MySource, op: "c" | "u" | "d" | "r" = "u") =>
  deriveVersion(
    { op, source: { connector: "postgresql", ...source }, row: {}, kafkaOffset: "0" },
    { versionSource: "auto", epoch: 0 },
  );

test("postgres: pg:EEEE:<lastCommitLsn>:<rank>:<lsn>, from source.sequence or source.lsn", () => {
  assert.deepEqual(pgv({ sequence: '["100","200"]', lsn: 1 }), {
    scheme: "pg:",
    version: `pg:0000:${z(100)}:1:${z(200)}`,
  });
  // No sequence: source.lsn, and a streamed change's missing commit position is its own lsn.
  assert.equal(pgv({ lsn: 300 }).version, `pg:0000:${z(300)}:1:${z(300)}`);
  assert.equal(pgv({ lsn: 300 }, "r").version, `pg:0000:${z(0)}:0:${z(300)}`);
  assert.equal(pgv({ lsn: 300 }, "d").version, `pg:0000:${z(300)}:1:${z(300)}`);
  // A sequence whose lsn is null falls back to source.lsn; a null sequence is none.
  assert.equal(pgv({ sequence: '["100",null]', lsn: 7 }).version, `pg:0000:${z(100)}:1:${z(7)}`);
  assert.equal(pgv({ sequence: null, lsn: 7 }).version, `pg:0000:${z(7)}:1:${z(7)}`);
});

test("postgres: an unusable sequence or a missing lsn is poison naming what is wrong", () => {
  const notJson = poison(() => pgv({ sequence: "[1,", lsn: 1 }));
  assert.equal(notJson.code, "missing_version");
  assert.match(notJson.message, /source\.sequence is not JSON \(a string of 3 characters\)/);
  for (const sequence of ['["1"]', '["1","2","3"]', '{"a":1}', '"1"'])
    assert.match(poison(() => pgv({ sequence, lsn: 1 })).message, /source\.sequence is not a pair/, sequence);
  assert.match(poison(() => pgv({})).message, /source\.lsn is absent/);
  assert.match(poison(() => pgv({ lsn: null })).message, /source\.lsn is absent/);
  assert.match(poison(() => pgv({ sequence: "[null,null]" })).message, /source\.lsn is absent/);
  assert.match(
    poison(() => pgv({ sequence: '["5",-5]' })).message,
    /source\.lsn is not a non-negative integer/,
  );
  assert.match(
    poison(() => pgv({ sequence: '["x","5"]' })).message,
    /lastCommitLsn is not a non-negative integer/,
  );
});

test("auto: a source without a connector is poison that says so and names VERSION_SOURCE=column", () => {
  for (const source of [undefined, {}, { connector: 5 }]) {
    const err = poison(() =>
      deriveVersion(
        { op: "u", source: source, row: {}, kafkaOffset: "0" },
        { versionSource: "auto", epoch: 0 },
      ),
    );
    assert.equal(err.code, "missing_version");
    assert.match(err.message, /source\.connector is (null|5); set VERSION_SOURCE=column$/);
  }
});

test("column: a change without a row image at all is poison, never a TypeError", () => {
  const noRow = (op: "u" | "d") =>
    deriveVersion(
      { op, source: undefined, row: null, kafkaOffset: "0" },
      { versionSource: "column", versionColumn: "rev", epoch: 0 },
    );
  assert.equal(poison(() => noRow("u")).code, "missing_version");
  assert.equal(poison(() => noRow("d")).code, "delete_without_version");
});

test("schemeOf: the text up to and with the first colon, whatever precedes it", () => {
  assert.equal(schemeOf(":0000:1"), ":");
  assert.equal(schemeOf("my:0000:1:2"), "my:");
  assert.equal(schemeOf(""), "");
});
