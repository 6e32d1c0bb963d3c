// The item size and the WCU per record of each mapping shape and metadata mode (docs/mapping.md),
// computed with the sink's own builder and DynamoDB's size rule (src/core/marshal.ts itemSize) on
// the rows of docs/mapping.md's worked examples: node bench/mapping-sizes.ts
// A conditional PutItem costs ceil(size / 1 KB) WCU; a put inside TransactWriteItems twice that.

import { encodeId } from "../src/core/identity.ts";
import { JsonNumber } from "../src/core/json.ts";
import { TableMapping, type MappingSpec } from "../src/core/mapping.ts";
import { itemSize } from "../src/core/marshal.ts";
import type { ChangeEvent, KeyColumn, Row } from "../src/core/types.ts";

const ctx = { keyAttribute: "pk", ttlAttribute: "_cdc_expires_at", manyTopics: false };
const at = { topic: "pg.public.orders", partition: 3, offset: "1048576" };
const options = { table: "t", ...ctx, tombstoneTtlSeconds: 0, compression: "none" as const };

function event(source: string, key: Record<string, Row[string]>, row: Row | null): ChangeEvent {
  const keyColumns: KeyColumn[] = Object.entries(key).map(([name, value]) => ({ name, value }));
  return {
    op: row === null ? "d" : "u",
    source,
    id: encodeId(keyColumns),
    keyColumns,
    // A PostgreSQL version as the sink writes it: scheme, epoch, commit LSN, LSN.
    version: `pg:0000:${"24023352".padStart(20, "0")}:${"24023520".padStart(20, "0")}`,
    versionScheme: "pg:",
    row,
    sourceTsMs: 1_764_655_200_123,
  };
}

export const ORDER: Row = {
  order_id: new JsonNumber("9000000001"),
  customer_id: 42,
  total: new JsonNumber("129.50"),
  note: "leave at the back door",
  secret: "4111-xxxx",
  attrs: '{"tags":["gift","express"],"dims":{"w":3,"h":12.5}}',
};
export const LINE: Row = { order_id: new JsonNumber("9000000001"), line_no: 2, sku: "SKU-0042", qty: 3 };

const orders = "pg.shop.public.orders";
const lines = "pg.shop.public.order_lines";
const numeric: MappingSpec = {
  keyColumns: ["order_id"],
  partitionKey: { attribute: "order_id", type: "N", template: "{order_id}" },
  rename: { note: "comment" },
  exclude: ["secret"],
  jsonColumns: ["attrs"],
};
const single: MappingSpec = {
  keyColumns: ["order_id", "line_no"],
  partitionKey: { attribute: "PK", template: "ORDER#{order_id}" },
  sortKey: { attribute: "SK", template: "LINE#{line_no}" },
  constants: { entity: "LINE" },
};

export const SHAPES: { name: string; spec: MappingSpec; e: ChangeEvent }[] = [
  {
    name: "default layout (no mapping), orders row",
    spec: {},
    e: event(orders, { order_id: ORDER["order_id"]! }, ORDER),
  },
  {
    name: "default key, minimal metadata, orders row",
    spec: { metadata: "minimal" },
    e: event(orders, { order_id: ORDER["order_id"]! }, ORDER),
  },
  {
    name: "numeric key, renamed/excluded, jsonb map, full",
    spec: numeric,
    e: event(orders, { order_id: ORDER["order_id"]! }, ORDER),
  },
  {
    name: "numeric key, renamed/excluded, jsonb map, minimal",
    spec: { ...numeric, metadata: "minimal" },
    e: event(orders, { order_id: ORDER["order_id"]! }, ORDER),
  },
  {
    name: "PK+SK single table, line row, full",
    spec: single,
    e: event(lines, { order_id: LINE["order_id"]!, line_no: 2 }, LINE),
  },
  {
    name: "PK+SK single table, line row, minimal",
    spec: { ...single, metadata: "minimal" },
    e: event(lines, { order_id: LINE["order_id"]!, line_no: 2 }, LINE),
  },
  {
    name: "PK+SK single table, tombstone, minimal",
    spec: { ...single, metadata: "minimal" },
    e: event(lines, { order_id: LINE["order_id"]!, line_no: 2 }, null),
  },
];

export function sizes(): { name: string; bytes: number; putWcu: number; transactWcu: number }[] {
  return SHAPES.map(({ name, spec, e }) => {
    const bytes = itemSize(new TableMapping(spec, ctx).put(e, at, options, 1_764_655_201_000).Item!);
    return { name, bytes, putWcu: Math.ceil(bytes / 1024), transactWcu: 2 * Math.ceil(bytes / 1024) };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const s of sizes())
    console.log(
      `${s.name.padEnd(52)} ${String(s.bytes).padStart(4)} B  put ${s.putWcu} WCU  transact ${s.transactWcu} WCU`,
    );
  for (const { name, spec, e } of SHAPES.filter((_, i) => i === 0 || i === 3 || i === 4))
    console.log(
      `\n${name}:\n${JSON.stringify(new TableMapping(spec, ctx).put(e, at, options, 1_764_655_201_000).Item)}`,
    );
}
