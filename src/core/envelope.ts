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
