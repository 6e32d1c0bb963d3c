// Running the comparison: every source table's rows are read through a cursor while one Scan reads
// the DynamoDB table (items routed to their table by `_cdc_source`), both into external sorts; then
// each table's two sorted streams are merged. Several tables of one DynamoDB table cost one Scan.

import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { META } from "../core/item.ts";
import type { Tally } from "./compare.ts";
import { mergeCompare } from "./compare.ts";
import { itemEntry, sourceEntry, type Entry, type ItemLayout } from "./entry.ts";
import type { Progress } from "./progress.ts";
import { candidateKeys } from "./sink-key.ts";
import { SortedRuns } from "./sorted-runs.ts";
import type { SourceDb } from "./open-source.ts";
import { getItems, keyText, scanSources } from "./target.ts";
import type { ConverterSettings, TableInfo } from "./types.ts";

/** Items carry `_cdc_source` unless a mapping keeps the default key with minimal metadata. */
function filterable(layout: ItemLayout): boolean {
  const m = layout.mapping;
  return m === undefined || m.templated || m.metadata === "full";
}

/** The item's source: `_cdc_source`, else the default key's `<escaped source>:` prefix. */
function itemSource(item: Record<string, AttributeValue>, layout: ItemLayout): string | undefined {
  const stored = item[META.source]?.S;
  if (stored !== undefined) return stored;
  const key = item[layout.mapping?.partition.attribute ?? layout.keyAttribute]?.S;
  const end = key?.indexOf(":") ?? -1;
  return key === undefined || end < 0
    ? undefined
    : key.slice(0, end).replaceAll("%3A", ":").replaceAll("%25", "%");
}

/** An item's key for people: the key attributes' values. */
function keyLabel(item: Record<string, AttributeValue>, layout: ItemLayout): string {
  const schema = layout.mapping?.keySchema() ?? { partition: { attribute: layout.keyAttribute } };
  const parts = [
    schema.partition.attribute,
    ...("sort" in schema && schema.sort ? [schema.sort.attribute] : []),
  ];
  const text = (v: AttributeValue | undefined) =>
    v?.S ?? v?.N ?? (v?.B === undefined ? "?" : Buffer.from(v.B).toString("base64"));
  return parts.map((a) => text(item[a])).join(" / ");
}

export type Job = { readonly info: TableInfo; readonly source: string; readonly tally: Tally };

export type RunContext = {
  readonly source: SourceDb;
  readonly dynamo: DynamoDBClient;
  readonly dynamodbTable: string;
  readonly settings: ConverterSettings;
  readonly layout: ItemLayout;
};

type Sorted = { job: Job; rows: SortedRuns<Entry>; items: SortedRuns<Entry>; strays: string[] };

export async function compareAll(
  c: RunContext,
  jobs: readonly Job[],
  o: { segments: number; sortBuffer: number; progress: Progress },
): Promise<void> {
  const sorted: Sorted[] = jobs.map((job) => ({
    job,
    rows: new SortedRuns<Entry>(o.sortBuffer),
    items: new SortedRuns<Entry>(o.sortBuffer),
    strays: [],
  }));
  const bySource = new Map(sorted.map((s) => [s.job.source, s]));
  try {
    const readSources = async (): Promise<void> => {
      for (const s of sorted) {
        for await (const values of c.source.readRows(s.job.info)) {
          await s.rows.add(sourceEntry(values, s.job.info, c.settings, c.layout));
          o.progress.source++;
          o.progress.tick();
        }
      }
    };
    const readTarget = (): Promise<void> =>
      scanSources(
        c.dynamo,
        c.dynamodbTable,
        filterable(c.layout) ? [...bySource.keys()] : [],
        o.segments,
        async (item) => {
          const s = bySource.get(itemSource(item, c.layout) ?? "");
          if (s === undefined) return;
          const entry = itemEntry(item, s.job.info, c.settings, c.layout);
          if (entry === undefined) s.strays.push(keyLabel(item, c.layout));
          else await s.items.add(entry);
          o.progress.items++;
          o.progress.tick();
        },
      );
    await Promise.all([readSources(), readTarget()]);
    for (const s of sorted) {
      await mergeCompare(s.rows.sorted(), s.items.sorted(), s.job.tally);
      for (const stray of s.strays) s.job.tally.stray(JSON.stringify(stray));
    }
  } finally {
    await Promise.all(sorted.flatMap((s) => [s.rows.dispose(), s.items.dispose()]));
  }
}

/** `n` random source rows and the items the sink wrote for them (extra items cannot be seen). */
export async function compareSample(c: RunContext, job: Job, n: number): Promise<void> {
  const { info } = job;
  const sampled = await c.source.sampleRows(info, n);
  const keyIndex = info.key.map((k) => info.columns.indexOf(k));
  const schema = c.layout.mapping?.keySchema() ?? { partition: { attribute: c.layout.keyAttribute } };
  const attributes = [
    schema.partition.attribute,
    ...("sort" in schema && schema.sort ? [schema.sort.attribute] : []),
  ];
  const candidates = sampled.map((values) =>
    candidateKeys(
      job.source,
      info.key,
      keyIndex.map((i) => values[i] ?? null),
      c.settings,
      c.layout.mapping,
      c.layout.keyAttribute,
    ),
  );
  const found = await getItems(c.dynamo, c.dynamodbTable, attributes, candidates.flat());
  sampled.forEach((values, i) => {
    const item = candidates[i]!.map((k) => found.get(keyText(k, attributes))).find((x) => x !== undefined);
    job.tally.judge(
      sourceEntry(values, info, c.settings, c.layout),
      item === undefined ? undefined : itemEntry(item, info, c.settings, c.layout),
    );
  });
}
