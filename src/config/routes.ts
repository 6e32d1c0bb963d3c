// Optional per-topic routes for multi-table deployments: a JSON array, first match wins; topics no
// route matches use the service-wide settings.
//   [{ "topic": "pg.public.orders", "table": "orders", "versionSource": "column", "versionColumn": "rev" },
//    { "topicPattern": "^pg\\.public\\.", "table": "replica", "tombstoneTtlSeconds": 864000 },
//    { "topicPattern": "^flat\\.", "format": "flattened", "poisonPolicy": "skip" },
//    { "topic": "pg.public.sessions", "truncate": "apply" }]

import { z } from "zod";
import { POISON_POLICIES, RECORD_FORMATS, TRUNCATE_POLICIES, VERSION_SOURCES, tableName } from "./parsers.ts";
import { RECORD_ENCODINGS } from "./variables/schema-registry.ts";

const routeSchema = z
  .object({
    topic: z.string().min(1).optional(),
    topicPattern: z.string().min(1).optional(),
    table: tableName.optional(),
    sourceName: z.string().min(1).optional(),
    versionSource: z.enum(VERSION_SOURCES).optional(),
    versionColumn: z.string().min(1).optional(),
    tombstoneTtlSeconds: z.number().int().min(0).optional(),
    format: z.enum(RECORD_FORMATS).optional(),
    poisonPolicy: z.enum(POISON_POLICIES).optional(),
    encoding: z.enum(RECORD_ENCODINGS).optional(),
    truncate: z.enum(TRUNCATE_POLICIES).optional(),
    /** This route's own write budget (units per second), instead of MAX_WRITE_UNITS_PER_SECOND. */
    maxWriteUnitsPerSecond: z.number().positive().optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if ((r.topic === undefined) === (r.topicPattern === undefined))
      ctx.addIssue({ code: "custom", message: "needs exactly one of topic and topicPattern" });
    if (r.topicPattern !== undefined) {
      try {
        new RegExp(r.topicPattern);
      } catch (err) {
        ctx.addIssue({
          code: "custom",
          path: ["topicPattern"],
          message: `invalid regular expression: ${(err as Error).message}`,
        });
      }
    }
    // One source name for every topic a pattern matches would put rows of different tables under
    // one key space: `orders:[1]` of two tables would overwrite each other.
    if (r.topicPattern !== undefined && r.sourceName !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["sourceName"],
        message: "cannot be used with topicPattern (every matched table would share one source name)",
      });
    if (r.versionSource === "column" && r.versionColumn === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["versionColumn"],
        message: "is required with versionSource column",
      });
    // A truncate has no row to read a version column from (core/decode.ts truncateOf).
    if (r.versionSource === "column" && r.truncate === "apply")
      ctx.addIssue({
        code: "custom",
        path: ["truncate"],
        message: "apply needs the log position: not with versionSource column",
      });
  });

export type Route = z.infer<typeof routeSchema>;

export function parseRoutes(text: string): { ok: true; routes: Route[] } | { ok: false; errors: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [`not JSON: ${(err as Error).message}`] };
  }
  const parsed = z.array(routeSchema).safeParse(json);
  if (!parsed.success)
    return { ok: false, errors: parsed.error.issues.map((i) => `[${i.path.join(".")}] ${i.message}`) };
  return { ok: true, routes: parsed.data };
}

/** The first route whose topic or pattern matches. */
export function routeFor(routes: readonly Route[], topic: string): Route | undefined {
  return routes.find(
    (r) => r.topic === topic || (r.topicPattern !== undefined && new RegExp(r.topicPattern).test(topic)),
  );
}
