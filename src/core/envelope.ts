// The Debezium change-event envelope, validated with zod. Unknown fields pass through: connectors
// add source fields between versions, and a strict schema would turn an upgrade into poison.

import { z } from "zod";
import { JsonNumber } from "./json.ts";

const numeric = z.union([z.number(), z.instanceof(JsonNumber), z.string()]);
const row = z.record(z.string(), z.unknown());

export const sourceSchema = z
  .object({
    connector: z.string().optional(),
    name: z.string().optional(),
    db: z.string().nullable().optional(),
    schema: z.string().nullable().optional(),
    table: z.string().nullable().optional(),
    ts_ms: numeric.nullable().optional(),
    lsn: numeric.nullable().optional(),
    sequence: z.string().nullable().optional(),
    file: z.string().nullable().optional(),
    pos: numeric.nullable().optional(),
    row: numeric.nullable().optional(),
  })
  .loose();

export const envelopeSchema = z
  .object({
    op: z.enum(["c", "u", "d", "r", "t", "m"], { message: 'op must be one of "c", "u", "d", "r", "t", "m"' }),
    before: row.nullable().optional(),
    after: row.nullable().optional(),
    source: sourceSchema.optional(),
    ts_ms: numeric.nullable().optional(),
  })
  .loose()
  .superRefine((env, ctx) => {
    if (
      (env.op === "c" || env.op === "u" || env.op === "r") &&
      (env.after === null || env.after === undefined)
    ) {
      ctx.addIssue({ code: "custom", path: ["after"], message: `op "${env.op}" needs an "after" row image` });
    }
  });

export type Envelope = z.infer<typeof envelopeSchema>;

/** One line per zod issue, with its path: what a DLQ reader needs to fix the producer. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}

// The common envelope checked without zod: zod copies every row image column by column to check
// them (a fiftieth of the sink's CPU per record, docs/performance.md). Conservative: it answers only
// for an envelope that envelopeSchema accepts, with the same op and source, and leaves everything
// else (every refusal included, and its message) to the schema. A property test holds it to that.

const isPlain = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};
const isNumeric = (v: unknown): boolean =>
  (typeof v === "number" && Number.isFinite(v)) || typeof v === "string" || v instanceof JsonNumber;
const absent = (v: unknown): boolean => v === undefined || v === null;
const OPS: ReadonlySet<unknown> = new Set(["c", "u", "d", "r", "t", "m"]);
const TEXT = ["db", "schema", "table", "sequence", "file"] as const;
const NUMERIC = ["ts_ms", "lsn", "pos", "row"] as const;

function plainSource(s: Record<string, unknown>): boolean {
  for (const k of ["connector", "name"] as const)
    if (s[k] !== undefined && typeof s[k] !== "string") return false;
  for (const k of TEXT) if (!absent(s[k]) && typeof s[k] !== "string") return false;
  for (const k of NUMERIC) if (!absent(s[k]) && !isNumeric(s[k])) return false;
  return true;
}

/** The envelope's op and source when envelopeSchema would accept it; undefined: ask the schema. */
export function quickEnvelope(payload: Record<string, unknown>): Pick<Envelope, "op" | "source"> | undefined {
  const { op, before, after, source } = payload;
  if (!OPS.has(op)) return undefined;
  if (!absent(before) && !isPlain(before)) return undefined;
  if (!absent(after) && !isPlain(after)) return undefined;
  if ((op === "c" || op === "u" || op === "r") && absent(after)) return undefined;
  // A source block is handed on as is, where the schema hands on a copy: the same unless its
  // prototype is null (the copy's is not), so such a block is left to the schema.
  if (
    source !== undefined &&
    !(isPlain(source) && Object.getPrototypeOf(source) !== null && plainSource(source))
  )
    return undefined;
  if (!absent(payload["ts_ms"]) && !isNumeric(payload["ts_ms"])) return undefined;
  return { op: op as Envelope["op"], source: source };
}
