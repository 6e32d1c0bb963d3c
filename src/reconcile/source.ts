// The PostgreSQL side: the table's columns and primary key from the catalog, and its rows through a
// server-side cursor in one REPEATABLE READ snapshot (memory stays bounded, and the rows are one
// consistent state). Each row is read as `json_build_array(...)::text` and parsed losslessly, so
// bigint and numeric values keep every digit and every type arrives in one well-defined spelling.

import type pg from "pg";
import { parseJson, type JsonValue } from "../core/json.ts";
import { kindOf, type Column, type TableInfo } from "./types.ts";

export class ReconcileInputError extends Error {}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `schema.table` or `table` (then `public`); quotes are not interpreted: names are taken as written. */
export function parseTableName(text: string): { schema: string; table: string } {
  const dot = text.indexOf(".");
  const [schema, table] = dot < 0 ? ["public", text] : [text.slice(0, dot), text.slice(dot + 1)];
  if (schema === "" || table === "")
    throw new ReconcileInputError(`--table ${JSON.stringify(text)} is not schema.table`);
  return { schema, table };
}

type ColumnRow = { name: string; type: string; elem: string | null; typmod: number };

export async function loadTable(client: pg.Client, schema: string, table: string): Promise<TableInfo> {
  const rel = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  const exists = await client.query<{ oid: string | null }>("SELECT to_regclass($1)::oid AS oid", [rel]);
  if (exists.rows[0]?.oid === null || exists.rows[0]?.oid === undefined)
    throw new ReconcileInputError(`table ${schema}.${table} does not exist in the database`);
  const cols = await client.query<ColumnRow>(
    `SELECT a.attname AS name, bt.typname AS type, et.typname AS elem,
            CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS typmod
       FROM pg_attribute a
       JOIN pg_type t ON t.oid = a.atttypid
       JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
       LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [rel],
  );
  const columns: Column[] = cols.rows.map((r) => ({
    name: r.name,
    type: r.type,
    kind: kindOf(r.elem ?? r.type),
    array: r.elem !== null,
    // time/timestamp typmod is the number of fractional digits; -1 means unconstrained (6).
    precision: r.typmod >= 0 && r.typmod <= 6 ? r.typmod : 6,
  }));
  const keys = await client.query<{ name: string }>(
    `SELECT a.attname AS name
       FROM pg_index i
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = $1::regclass AND i.indisprimary
      ORDER BY k.ord`,
    [rel],
  );
  if (keys.rows.length === 0)
    throw new ReconcileInputError(
      `table ${schema}.${table} has no primary key: reconcile (like the sink's item key) needs one`,
    );
  const key = keys.rows.map((k) => columns.find((c) => c.name === k.name)!);
  return { schema, table, columns, key };
}

/**
 * The select list: every column in catalog order; money as numeric (its text output depends on the locale).
 */
function selectList(info: TableInfo): string {
  const exprs = info.columns.map((c) => {
    const q = quoteIdent(c.name);
    if (c.type === "money") return `${q}::numeric`;
    if (c.type === "_money") return `${q}::numeric[]`;
    // As text: embedded as JSON, a JSON null would be indistinguishable from SQL NULL.
    if (c.kind === "json") return c.array ? `${q}::text[]` : `${q}::text`;
    return q;
  });
  return `json_build_array(${exprs.join(", ")})::text`;
}

// One spelling for every session: instants in UTC, intervals as ISO 8601 (Debezium's string mode),
// bytea in hex, floats in their shortest exact form.
const SESSION = [
  "SET LOCAL TIME ZONE 'UTC'",
  "SET LOCAL IntervalStyle = 'iso_8601'",
  "SET LOCAL bytea_output = 'hex'",
  "SET LOCAL extra_float_digits = 1",
];

function rowValues(text: string): JsonValue[] {
  return parseJson(text) as JsonValue[];
}

/** Every row, as values in column order, in batches from a cursor inside one snapshot. */
export async function* readRows(
  client: pg.Client,
  info: TableInfo,
  batchSize = 2000,
): AsyncGenerator<JsonValue[]> {
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    for (const s of SESSION) await client.query(s);
    await client.query(
      `DECLARE reconcile_rows NO SCROLL CURSOR FOR SELECT ${selectList(info)} AS r FROM ` +
        `${quoteIdent(info.schema)}.${quoteIdent(info.table)}`,
    );
    for (;;) {
      const batch = await client.query<{ r: string }>(`FETCH ${batchSize} FROM reconcile_rows`);
      for (const row of batch.rows) yield rowValues(row.r);
      if (batch.rows.length < batchSize) break;
    }
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

/** `n` rows chosen at random (ORDER BY random(): one pass over the table, top-n kept by the server). */
export async function sampleRows(client: pg.Client, info: TableInfo, n: number): Promise<JsonValue[][]> {
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    for (const s of SESSION) await client.query(s);
    const result = await client.query<{ r: string }>(
      `SELECT ${selectList(info)} AS r FROM ${quoteIdent(info.schema)}.${quoteIdent(info.table)} ORDER ` +
        `BY random() LIMIT $1`,
      [n],
    );
    await client.query("COMMIT");
    return result.rows.map((row) => rowValues(row.r));
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

/** The planner's row estimate, for the progress display (0 when never analyzed). */
export async function estimateRows(client: pg.Client, info: TableInfo): Promise<number> {
  const r = await client.query<{ n: number }>(
    "SELECT GREATEST(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = $1::regclass",
    [`${quoteIdent(info.schema)}.${quoteIdent(info.table)}`],
  );
  return Math.round(r.rows[0]?.n ?? 0);
}
