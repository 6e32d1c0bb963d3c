// Parsers of one environment variable's text, for src/config/env-spec.ts. Each says in its message
// what a valid value looks like; the variable's name is added by loadConfig.

import { z } from "zod";
import { META } from "../core/item.ts";
import { RECORD_FORMATS, TRUNCATE_POLICIES, VersionSource } from "../core/types.ts";

/** A closed set of words; the message lists them. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  const words =
    values.length === 2 ? values.join(" or ") : `${values.slice(0, -1).join(", ")} or ${values.at(-1)}`;
  return z.enum(values, { message: `must be ${words}` });
}

export const WRITE_MODES = ["auto", "put", "transact"] as const;
export type WriteMode = (typeof WRITE_MODES)[number];
export const VERSION_SOURCES = [VersionSource.auto, VersionSource.column, VersionSource.kafkaOffset] as const;
export { RECORD_FORMATS, TRUNCATE_POLICIES };
export { POISON_POLICIES } from "../engine/poison.ts";
export const SASL_MECHANISMS = ["scram-sha-256", "scram-sha-512", "plain", "aws-msk-iam"] as const;
export const COMPRESSIONS = ["none", "gzip"] as const;
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
/** How the Kafka message key appears on spans (src/telemetry/record-tracer.ts). */
export const KEY_MODES = ["hash", "raw", "none"] as const;
export type KeyMode = (typeof KEY_MODES)[number];

export const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** A positive number (a rate), decimals allowed. */
export const positive = z
  .string()
  .regex(/^\d+(\.\d+)?$/, "must be a positive number")
  .transform(Number)
  .pipe(z.number().positive("must be a positive number"));

export const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" })
  .transform((v) => ["true", "1", "yes"].includes(v));

export const list = z.string().transform((v) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== ""),
);

export const text = z.string().min(1);

export const brokers = list.pipe(
  z
    .array(z.string().regex(/^[^\s:]+:\d+$/, "each broker must be host:port"))
    .min(1, "needs at least one broker"),
);

export const pattern = z.string().superRefine((p, ctx) => {
  try {
    new RegExp(p);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: `is not a valid regular expression: ${(err as Error).message}` });
  }
});

export const tableName = z
  .string()
  .regex(/^[a-zA-Z0-9_.-]{3,255}$/, "must be a DynamoDB table name (3–255 of a-z A-Z 0-9 _ . -)");

const attributeName = z
  .string()
  .min(1)
  .refine((n) => Buffer.byteLength(n) <= 255, "must be at most 255 bytes");

/** The table's key attribute: 1–255 bytes (DynamoDB's limit), outside the sink's `_cdc_` namespace. */
export const keyAttribute = attributeName.refine(
  (n) => !n.startsWith("_cdc_"),
  "must not start with _cdc_ (the sink's metadata attributes)",
);

// The metadata attributes a tombstone carries: a TTL written over one of them would corrupt it.
const METADATA = new Set<string>(Object.values(META).filter((n) => n !== META.columnPrefix));

/**
 * The TTL attribute: 1–255 bytes, not one of the sink's metadata attributes nor an escaped row
 * column (`_cdc_col_…`). The default `_cdc_expires_at` is the sink's own. Row columns of the same
 * name are stored escaped (src/core/item.ts), so a row can never set it.
 */
export const ttlAttribute = attributeName
  .refine((n) => !METADATA.has(n), "must not be one of the sink's metadata attributes (_cdc_version, …)")
  .refine((n) => !n.startsWith(META.columnPrefix), `must not start with ${META.columnPrefix}`);

export const url = z.url({ message: "must be a URL such as http://127.0.0.1:8000" });
