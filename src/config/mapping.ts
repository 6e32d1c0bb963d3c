// The mapping of rows onto the user's own table (docs/mapping.md) as configured: a route's
// `mapping` in ROUTES_FILE, or ITEM_MAPPING for the topics no route matches. The shape is checked
// here; the injectivity rules are the core's (src/core/mapping.ts), applied once at start-up to
// every mapping and to every pair of mappings that write one table.

import { z } from "zod";
import {
  DELETE_MODES,
  KEY_TYPES,
  METADATA_MODES,
  TableMapping,
  mappingProblems,
  tableConflicts,
  type MappingSpec,
} from "../core/mapping.ts";

const attribute = z
  .string()
  .min(1)
  .refine((n) => Buffer.byteLength(n) <= 255, "must be at most 255 bytes");
const names = z.array(z.string().min(1));
const key = z
  .object({
    attribute: attribute.optional(),
    type: z.enum(KEY_TYPES).optional(),
    template: z.string().min(1),
  })
  .strict();

export const MAPPING_SCHEMA = z
  .object({
    keyColumns: names.min(1).optional(),
    partitionKey: key.optional(),
    sortKey: key.extend({ attribute }).strict().optional(),
    include: names.optional(),
    exclude: names.optional(),
    rename: z.record(z.string().min(1), attribute).optional(),
    jsonColumns: names.optional(),
    constants: z.record(attribute, z.union([z.string(), z.number(), z.boolean()])).optional(),
    metadata: z.enum(METADATA_MODES).optional(),
    deletes: z.enum(DELETE_MODES).optional(),
    tombstoneTable: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{3,255}$/, "must be a DynamoDB table name (3–255 of A-Z a-z 0-9 _ . -)")
      .optional(),
  })
  .strict();

/** ITEM_MAPPING's text: a JSON object of MAPPING_SCHEMA's shape. */
export const mappingText = z.string().transform((text, ctx) => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: `is not JSON: ${(err as Error).message}` });
    return z.NEVER;
  }
  const parsed = MAPPING_SCHEMA.safeParse(json);
  if (!parsed.success) {
    for (const i of parsed.error.issues)
      ctx.addIssue({
        code: "custom",
        message: `${i.path.length > 0 ? `${i.path.join(".")}: ` : ""}${i.message}`,
      });
    return z.NEVER;
  }
  return parsed.data;
});

/** What a mapping is checked against: where it is configured and what it serves. */
export type MappingUse = {
  /** For messages: `ITEM_MAPPING`, `route 2 (topic pg.public.orders)`. */
  readonly where: string;
  readonly table: string;
  readonly spec: MappingSpec;
  readonly manyTopics: boolean;
};

/** Every problem of these mappings, alone and per table; empty when all can be built. */
export function mappingUseProblems(
  uses: readonly MappingUse[],
  keyAttribute: string,
  ttlAttribute: string,
): string[] {
  const problems: string[] = [];
  const built = [];
  for (const u of uses) {
    const ctx = { keyAttribute, ttlAttribute, manyTopics: u.manyTopics };
    const own = mappingProblems(u.spec, ctx);
    for (const p of own) problems.push(`${u.where}: ${p}`);
    if (own.length === 0)
      built.push({ where: u.where, table: u.table, mapping: new TableMapping(u.spec, ctx) });
  }
  return [...problems, ...tableConflicts(built)];
}
