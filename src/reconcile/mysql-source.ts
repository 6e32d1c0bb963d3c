// The MySQL/MariaDB side: columns and primary key from information_schema, rows through mysql2's
// binary protocol (prepared statements: FLOAT, DOUBLE and integers arrive as numbers, not as the
// server's text), paged by primary key inside one consistent snapshot (START TRANSACTION WITH
// CONSISTENT SNAPSHOT), so memory stays bounded and the rows are one state of the table.
//
// Each MySQL type maps to the comparison kind that matches what Debezium's MySQL connector emits for
// it with its defaults (MySqlValueConverters / BinlogValueConverters): integers and YEAR as numbers,
// DECIMAL exact, DATE as days, DATETIME as milli- or microseconds by its precision, TIMESTAMP as an
// ISO instant in UTC (ZonedTimestamp), binary strings as bytes, MySQL's JSON as JSON text, ENUM and
// SET as their text. FLOAT is compared at 6 significant digits: streamed changes carry the binlog's
// 4-byte float, but Debezium's snapshot reads the column through JDBC, where the server sends the
// text form, which MariaDB prints with 6 significant digits (FLT_DIG). TIME (a signed duration up to
// 838 hours), BIT and the spatial types are not mapped: a table with such a column is refused.

import mysql from "mysql2/promise";
import { JsonNumber, type JsonValue } from "../core/json.ts";
import { ReconcileInputError } from "./source.ts";
import type { Column, Kind, TableInfo } from "./types.ts";

const KINDS: Record<string, Kind> = {
  tinyint: "integer",
  smallint: "integer",
  mediumint: "integer",
  int: "integer",
  bigint: "integer",
  year: "integer",
  decimal: "decimal",
  float: "float6",
  double: "float8",
  date: "date",
  datetime: "timestamp",
  timestamp: "timestamptz",
  binary: "bytes",
  varbinary: "bytes",
  tinyblob: "bytes",
  blob: "bytes",
  mediumblob: "bytes",
  longblob: "bytes",
  json: "json",
  char: "text",
  varchar: "text",
  tinytext: "text",
  text: "text",
  mediumtext: "text",
  longtext: "text",
  enum: "text",
  set: "text",
};

export const quoteMysql = (name: string): string => `\`${name.replaceAll("`", "``")}\``;

/** mysql2 wants `mysql:`; `mariadb:` is accepted as the same protocol. */
export async function connectMysql(url: string): Promise<mysql.Connection> {
  const connection = await mysql.createConnection({
    uri: url.replace(/^mariadb:/, "mysql:"),
    connectTimeout: 10_000,
    // Every value in one spelling: big integers and decimals as exact text, dates and times as the
    // server's text (TIMESTAMP in UTC, set below), JSON as its text (parsed losslessly later).
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    dateStrings: true,
    jsonStrings: true,
    timezone: "Z",
  });
  await connection.query("SET time_zone = '+00:00'");
  return connection;
}

type ColumnRow = { name: string; type: string; precision: number | null };

export async function loadMysqlTable(
  c: mysql.Connection,
  database: string,
  table: string,
): Promise<TableInfo> {
  const [cols] = await c.execute<(ColumnRow & mysql.RowDataPacket)[]>(
    `SELECT COLUMN_NAME AS name, DATA_TYPE AS type, DATETIME_PRECISION AS \`precision\`
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [database, table],
  );
  if (cols.length === 0)
    throw new ReconcileInputError(`table ${database}.${table} does not exist in the database`);
  const columns: Column[] = cols.map((r) => {
    const kind = KINDS[r.type.toLowerCase()];
    if (kind === undefined)
      throw new ReconcileInputError(
        `column ${r.name} of ${database}.${table} is ${r.type}: reconcile does not map MySQL ${r.type} ` +
          `(TIME, BIT and spatial types are not compared; see docs/operations.md)`,
      );
    return { name: r.name, type: r.type.toLowerCase(), kind, array: false, precision: r.precision ?? 0 };
  });
  const [keys] = await c.execute<({ name: string } & mysql.RowDataPacket)[]>(
    `SELECT COLUMN_NAME AS name FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX`,
    [database, table],
  );
  if (keys.length === 0)
    throw new ReconcileInputError(
      `table ${database}.${table} has no primary key: reconcile (like the sink's item key) needs one`,
    );
  const key = keys.map((k) => columns.find((c) => c.name === k.name)!);
  return { schema: database, table, columns, key };
}

/** A mysql2 value in the spelling normalize.ts reads (as PostgreSQL's json_build_array gives it). */
function jsonValue(value: unknown, col: Column): JsonValue {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return `\\x${value.toString("hex")}`;
  if (typeof value === "number" || typeof value === "bigint") return new JsonNumber(String(value));
  if (typeof value !== "string") return JSON.stringify(value);
  return col.kind === "integer" || col.kind === "decimal" ? new JsonNumber(value) : value;
}

const select = (info: TableInfo): string =>
  `SELECT ${info.columns.map((c) => quoteMysql(c.name)).join(", ")} FROM ${quoteMysql(info.schema)}.` +
  quoteMysql(info.table);

const row = (info: TableInfo, values: unknown[]): JsonValue[] =>
  info.columns.map((c, i) => jsonValue(values[i], c));

/** Every row, in primary key order, in pages of `batchSize` inside one consistent snapshot. */
export async function* readMysqlRows(
  c: mysql.Connection,
  info: TableInfo,
  batchSize = 2000,
): AsyncGenerator<JsonValue[]> {
  const keyIndex = info.key.map((k) => info.columns.indexOf(k));
  const keyList = info.key.map((k) => quoteMysql(k.name)).join(", ");
  const after = `(${keyList}) > (${info.key.map(() => "?").join(", ")})`;
  const tail = `ORDER BY ${keyList} LIMIT ${batchSize}`;
  await c.query("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  await c.query("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
  try {
    let last: unknown[] | undefined;
    for (;;) {
      const [rows] = await c.execute<mysql.RowDataPacket[]>({
        sql: `${select(info)} ${last === undefined ? "" : `WHERE ${after}`} ${tail}`,
        values: last ?? [],
        rowsAsArray: true,
      });
      for (const values of rows as unknown[][]) yield row(info, values);
      if (rows.length < batchSize) break;
      const end = rows[rows.length - 1] as unknown[];
      last = keyIndex.map((i) => end[i]);
    }
    await c.query("COMMIT");
  } catch (err) {
    await c.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

/** `n` rows chosen at random (ORDER BY RAND(): one pass, the server keeps the top n). */
export async function sampleMysqlRows(
  c: mysql.Connection,
  info: TableInfo,
  n: number,
): Promise<JsonValue[][]> {
  const [rows] = await c.execute<mysql.RowDataPacket[]>({
    sql: `${select(info)} ORDER BY RAND() LIMIT ${Math.trunc(n)}`,
    rowsAsArray: true,
  });
  return (rows as unknown[][]).map((values) => row(info, values));
}

/** InnoDB's row estimate, for the progress display. */
export async function estimateMysqlRows(c: mysql.Connection, info: TableInfo): Promise<number> {
  const [rows] = await c.execute<({ n: number | string | null } & mysql.RowDataPacket)[]>(
    "SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
    [info.schema, info.table],
  );
  return Number(rows[0]?.n ?? 0);
}
