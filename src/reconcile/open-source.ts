// The source database behind `--db URL`, chosen by the URL's scheme: postgres:// (or postgresql://)
// through pg, mysql:// or mariadb:// through mysql2. Each side reads its catalog and rows its own
// way and hands rows on as values in column order, spelled as normalize.ts reads them.

import pg from "pg";
import type { JsonValue } from "../core/json.ts";
import { errorMessage } from "../core/errors.ts";
import {
  connectMysql,
  estimateMysqlRows,
  loadMysqlTable,
  readMysqlRows,
  sampleMysqlRows,
} from "./mysql-source.ts";
import { ReconcileInputError, estimateRows, loadTable, readRows, sampleRows } from "./source.ts";
import type { TableInfo } from "./types.ts";

export type SourceDb = {
  /** Debezium's source name of a table: PREFIX.<database>.<schema>.<table> for PostgreSQL, PREFIX.<database>.<table> for MySQL. */
  sourceName(prefix: string, schema: string, table: string): string;
  /** `--table` text → schema (PostgreSQL) or database (MySQL) and table. */
  parseTable(text: string): { schema: string; table: string };
  loadTable(schema: string, table: string): Promise<TableInfo>;
  readRows(info: TableInfo): AsyncGenerator<JsonValue[]>;
  sampleRows(info: TableInfo, n: number): Promise<JsonValue[][]>;
  estimateRows(info: TableInfo): Promise<number>;
  close(): Promise<void>;
};

/** `a.b` → {a, b}; a bare name takes `fallback` as its first part. */
function splitName(text: string, fallback: string, what: string): { schema: string; table: string } {
  const dot = text.indexOf(".");
  const [schema, table] = dot < 0 ? [fallback, text] : [text.slice(0, dot), text.slice(dot + 1)];
  if (schema === "" || table === "")
    throw new ReconcileInputError(`--table ${JSON.stringify(text)} is not ${what}.table`);
  return { schema, table };
}

async function postgresSource(url: string): Promise<SourceDb> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect().catch((err: unknown) => {
    throw new ReconcileInputError(`cannot connect to PostgreSQL: ${errorMessage(err)}`);
  });
  const database = (await client.query<{ db: string }>("SELECT current_database() AS db")).rows[0]!.db;
  return {
    sourceName: (prefix, schema, table) => [prefix, database, schema, table].join("."),
    parseTable: (text) => splitName(text, "public", "schema"),
    loadTable: (schema, table) => loadTable(client, schema, table),
    readRows: (info) => readRows(client, info),
    sampleRows: (info, n) => sampleRows(client, info, n),
    estimateRows: (info) => estimateRows(client, info),
    close: () => client.end().catch(() => undefined),
  };
}

async function mysqlSource(url: string): Promise<SourceDb> {
  const connection = await connectMysql(url).catch((err: unknown) => {
    throw new ReconcileInputError(`cannot connect to MySQL/MariaDB: ${errorMessage(err)}`);
  });
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  return {
    // Debezium's MySQL connector has no schema level: the database is MySQL's schema.
    sourceName: (prefix, schema, table) => [prefix, schema, table].join("."),
    parseTable: (text) => {
      if (!text.includes(".") && database === "")
        throw new ReconcileInputError(
          `--table ${JSON.stringify(text)}: name database.table, or put the database in the URL`,
        );
      return splitName(text, database, "database");
    },
    loadTable: (schema, table) => loadMysqlTable(connection, schema, table),
    readRows: (info) => readMysqlRows(connection, info),
    sampleRows: (info, n) => sampleMysqlRows(connection, info, n),
    estimateRows: (info) => estimateMysqlRows(connection, info),
    close: () => connection.end().catch(() => undefined),
  };
}

export async function openSource(url: string): Promise<SourceDb> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === "postgres" || scheme === "postgresql") return postgresSource(url);
  if (scheme === "mysql" || scheme === "mariadb") return mysqlSource(url);
  throw new ReconcileInputError(
    `--db wants a postgres://, mysql:// or mariadb:// URL, not ${scheme === undefined ? "one without a scheme" : `${scheme}://`}`,
  );
}
