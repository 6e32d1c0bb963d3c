// `cdc-sink reconcile`: compares a PostgreSQL or MySQL/MariaDB table with the items the sink wrote for it and prints a
// drift report. Exit 0: equal; 1: drift; 2: the comparison could not be made (bad arguments, a
// database or table that cannot be reached). The composition root of the command: it alone reads
// arguments and the environment.

import { parseArgs } from "node:util";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { errorMessage } from "../core/errors.ts";
import { Tally } from "./compare.ts";
import type { ItemLayout } from "./entry.ts";
import { Progress, type ProgressOut } from "./progress.ts";
import { renderJson, renderText, type ReconcileResult } from "./report.ts";
import { compareAll, compareSample, type Job } from "./run.ts";
import { openSource, type SourceDb } from "./open-source.ts";
import { ReconcileInputError } from "./source.ts";
import { describeTarget, targetClient } from "./target.ts";
import { RECONCILE_HELP } from "./help.ts";
import { TableMapping, mappingProblems } from "../core/mapping.ts";
import { mappingText } from "../config/mapping.ts";
import { DEFAULT_SETTINGS, SETTING_VALUES, type ConverterSettings, type TableInfo } from "./types.ts";

const OPTIONS = {
  db: { type: "string" },
  pg: { type: "string" },
  table: { type: "string", multiple: true },
  source: { type: "string" },
  "topic-prefix": { type: "string" },
  "dynamodb-table": { type: "string" },
  endpoint: { type: "string" },
  region: { type: "string" },
  "key-attribute": { type: "string" },
  "ttl-attribute": { type: "string" },
  mapping: { type: "string" },
  "decimal-handling-mode": { type: "string" },
  "time-precision-mode": { type: "string" },
  "binary-handling-mode": { type: "string" },
  "interval-handling-mode": { type: "string" },
  sample: { type: "string" },
  first: { type: "string" },
  json: { type: "boolean" },
  segments: { type: "string" },
  "sort-buffer": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type Io = { stdout: { write(text: string): unknown }; stderr: ProgressOut };

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new ReconcileInputError(`--${name} must be a positive integer, not ${JSON.stringify(value)}`);
  return Number(value);
}

function setting<K extends keyof ConverterSettings>(
  key: K,
  flag: string,
  value: string | undefined,
): ConverterSettings[K] {
  if (value === undefined) return DEFAULT_SETTINGS[key];
  const allowed = SETTING_VALUES[key] as readonly string[];
  if (!allowed.includes(value))
    throw new ReconcileInputError(
      `--${flag} must be one of ${allowed.join(", ")}, not ${JSON.stringify(value)}`,
    );
  return value as ConverterSettings[K];
}

function required(value: string | undefined, what: string): string {
  if (value === undefined || value === "")
    throw new ReconcileInputError(`${what} is required (see cdc-sink reconcile --help)`);
  return value;
}

function isLocal(endpoint: string | undefined): boolean {
  return endpoint !== undefined && /^https?:\/\/(localhost|127\.|\[::1\])/.test(endpoint);
}

export async function reconcileCommand(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const started = Date.now();
  let db: SourceDb | undefined;
  let dynamo: DynamoDBClient | undefined;
  try {
    const { values: v } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true });
    if (v.help === true) {
      io.stdout.write(`${RECONCILE_HELP}\n`);
      return 0;
    }
    const e = (name: string): string | undefined => (env[name] === "" ? undefined : env[name]);
    const tables = v.table ?? [];
    if (tables.length === 0)
      throw new ReconcileInputError("--table is required (see cdc-sink reconcile --help)");
    // Checked before connecting; which part a bare name lacks depends on the database.
    for (const t of tables)
      if (t === "" || t.startsWith(".") || t.endsWith("."))
        throw new ReconcileInputError(
          `--table ${JSON.stringify(t)} is not schema.table (MySQL: database.table)`,
        );
    if (v.source !== undefined && tables.length > 1)
      throw new ReconcileInputError(
        "--source names one table's source: with several --table, use --topic-prefix",
      );
    const settings: ConverterSettings = {
      decimalHandling: setting("decimalHandling", "decimal-handling-mode", v["decimal-handling-mode"]),
      timePrecision: setting("timePrecision", "time-precision-mode", v["time-precision-mode"]),
      binaryHandling: setting("binaryHandling", "binary-handling-mode", v["binary-handling-mode"]),
      intervalHandling: setting("intervalHandling", "interval-handling-mode", v["interval-handling-mode"]),
    };
    const sample = v.sample === undefined ? undefined : positiveInt(v.sample, "sample", 1);
    const firstN = positiveInt(v.first, "first", 10);
    const segments = positiveInt(v.segments, "segments", 4);
    const sortBuffer = positiveInt(v["sort-buffer"], "sort-buffer", 50_000);
    const dynamodbTable = required(
      v["dynamodb-table"] ?? e("DYNAMODB_TABLE"),
      "--dynamodb-table (or DYNAMODB_TABLE)",
    );
    const region = required(v.region ?? e("AWS_REGION"), "--region (or AWS_REGION)");
    const endpoint = v.endpoint ?? e("DYNAMODB_ENDPOINT");
    const keyAttribute = v["key-attribute"] ?? e("DYNAMODB_KEY_ATTRIBUTE") ?? "pk";
    const ttlAttribute = v["ttl-attribute"] ?? e("TTL_ATTRIBUTE") ?? "_cdc_expires_at";
    const layout: ItemLayout = {
      keyAttribute,
      ttlAttribute,
      mapping: mappingOf(v.mapping ?? e("ITEM_MAPPING"), keyAttribute, ttlAttribute),
    };
    if (v.source === undefined && v["topic-prefix"] === undefined && e("SOURCE_NAME") === undefined)
      throw new ReconcileInputError("--source or --topic-prefix is required (see cdc-sink reconcile --help)");

    if (v.db !== undefined && v.pg !== undefined)
      throw new ReconcileInputError("--db and --pg name the same thing: give one");
    db = await openSource(required(v.db ?? v.pg ?? e("PG_URL"), "--db (or --pg, or PG_URL)"));
    const source = db;
    const jobs: Job[] = [];
    for (const { schema, table } of tables.map((t) => source.parseTable(t))) {
      const name =
        v.source ??
        (v["topic-prefix"] !== undefined
          ? source.sourceName(v["topic-prefix"], schema, table)
          : e("SOURCE_NAME")!);
      jobs.push({ info: await source.loadTable(schema, table), source: name, tally: new Tally(firstN) });
    }

    const local = isLocal(endpoint) && e("AWS_ACCESS_KEY_ID") === undefined;
    dynamo = targetClient({
      table: dynamodbTable,
      region,
      endpoint,
      credentials: local ? { accessKeyId: "local", secretAccessKey: "local" } : undefined,
    });
    const itemCount = await describeTarget(dynamo, dynamodbTable).catch((err: unknown) => {
      throw err instanceof ReconcileInputError
        ? err
        : new ReconcileInputError(
            `cannot reach DynamoDB${endpoint === undefined ? "" : ` at ${endpoint}`}: ${errorMessage(err)}`,
          );
    });

    const context = { source, dynamo, dynamodbTable, settings, layout };
    if (sample === undefined) {
      const progress = new Progress(io.stderr);
      for (const j of jobs) progress.sourceTotal += await source.estimateRows(j.info);
      progress.itemsTotal = itemCount;
      await compareAll(context, jobs, { segments, sortBuffer, progress });
      progress.done();
    } else {
      for (const j of jobs) await compareSample(context, j, sample);
    }
    const results = jobs.map((j): ReconcileResult => ({
      table: `${j.info.schema}.${j.info.table}`,
      source: j.source,
      dynamodbTable,
      mode: sample === undefined ? "full" : "sample",
      settings,
      ...j.tally.report(),
      elapsedMs: Date.now() - started,
      notes: notes(j.info, settings, sample !== undefined),
    }));
    if (v.json === true)
      io.stdout.write(results.length === 1 ? renderJson(results[0]!) : renderJson(results));
    else io.stdout.write(results.map(renderText).join(""));
    return results.every((r) => r.drift === 0) ? 0 : 1;
  } catch (err) {
    io.stderr.write(`cdc-sink reconcile: ${errorMessage(err)}\n`);
    return 2;
  } finally {
    await db?.close();
    dynamo?.destroy();
  }
}

/** The mapping the sink wrote the table with (docs/mapping.md), checked as the sink checks it. */
function mappingOf(
  text: string | undefined,
  keyAttribute: string,
  ttlAttribute: string,
): TableMapping | undefined {
  if (text === undefined) return undefined;
  const parsed = mappingText.safeParse(text);
  if (!parsed.success)
    throw new ReconcileInputError(
      `--mapping (or ITEM_MAPPING): ${parsed.error.issues.map((i) => i.message).join("; ")}`,
    );
  const problems = mappingProblems(parsed.data, { keyAttribute, ttlAttribute, manyTopics: false });
  if (problems.length > 0)
    throw new ReconcileInputError(`--mapping (or ITEM_MAPPING): ${problems.join("; ")}`);
  return new TableMapping(parsed.data, { keyAttribute, ttlAttribute, manyTopics: false });
}

function notes(info: TableInfo, settings: ConverterSettings, sampled: boolean): string[] {
  const out: string[] = [];
  if (sampled)
    out.push("a sample sees only source rows: items without a source row (extra) are not looked for");
  if (settings.decimalHandling === "double" && info.columns.some((c) => c.kind === "decimal"))
    out.push("decimal.handling.mode=double is lossy: numeric columns are compared at double precision");
  if (settings.intervalHandling === "numeric" && info.columns.some((c) => c.kind === "interval"))
    out.push(
      "interval.handling.mode=numeric is lossy (a month counts 30.4375 days): intervals are compared " +
        "as Debezium computes them",
    );
  if (
    settings.timePrecision === "connect" &&
    info.columns.some((c) => c.kind === "time" || c.kind === "timestamp")
  )
    out.push(
      "time.precision.mode=connect keeps milliseconds: times and timestamps are compared at millisecond " +
        "precision",
    );
  return out;
}
