// What reconcile knows about the source table and the connector that fed the sink.

/** The Debezium converter settings that decide how a PostgreSQL value is spelled in an event. */
export type ConverterSettings = {
  readonly decimalHandling: "precise" | "string" | "double";
  readonly timePrecision:
    "adaptive" | "adaptive_time_microseconds" | "connect" | "isostring" | "microseconds" | "nanoseconds";
  readonly binaryHandling: "bytes" | "base64" | "base64-url-safe" | "hex";
  readonly intervalHandling: "numeric" | "string";
};

export const DEFAULT_SETTINGS: ConverterSettings = {
  decimalHandling: "precise",
  timePrecision: "adaptive",
  binaryHandling: "bytes",
  intervalHandling: "numeric",
};

export const SETTING_VALUES = {
  decimalHandling: ["precise", "string", "double"],
  timePrecision: [
    "adaptive",
    "adaptive_time_microseconds",
    "connect",
    "isostring",
    "microseconds",
    "nanoseconds",
  ],
  binaryHandling: ["bytes", "base64", "base64-url-safe", "hex"],
  intervalHandling: ["numeric", "string"],
} as const;

/** How a column's values are compared; from the PostgreSQL type (domains resolved to their base). */
export type Kind =
  | "integer"
  | "decimal"
  | "float4"
  /** MySQL/MariaDB FLOAT: compared at 6 significant digits (see mysql-source.ts). */
  | "float6"
  | "float8"
  | "boolean"
  | "date"
  | "timestamp"
  | "timestamptz"
  | "time"
  | "timetz"
  | "interval"
  | "bytes"
  | "json"
  | "text";

export type Column = {
  readonly name: string;
  /** PostgreSQL type name (pg_type.typname), e.g. `int8`, `_text`. */
  readonly type: string;
  readonly kind: Kind;
  /** Set for one-dimensional arrays: the elements' kind. */
  readonly array: boolean;
  /** Fractional-second digits of time/timestamp columns (6 when unconstrained). */
  readonly precision: number;
};

export type TableInfo = {
  readonly schema: string;
  readonly table: string;
  readonly columns: readonly Column[];
  /** Primary key columns in key order (Debezium's key struct order). */
  readonly key: readonly Column[];
};

const KINDS: Record<string, Kind> = {
  int2: "integer",
  int4: "integer",
  int8: "integer",
  oid: "integer",
  numeric: "decimal",
  money: "decimal",
  float4: "float4",
  float8: "float8",
  bool: "boolean",
  date: "date",
  timestamp: "timestamp",
  timestamptz: "timestamptz",
  time: "time",
  timetz: "timetz",
  interval: "interval",
  bytea: "bytes",
  json: "json",
  jsonb: "json",
};

/** The comparison kind of a PostgreSQL base type name; everything else compares as text. */
export function kindOf(typname: string): Kind {
  return KINDS[typname] ?? "text";
}
