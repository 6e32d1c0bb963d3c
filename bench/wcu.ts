// G9 (docs/performance.md), computed: what the benchmark's items would cost on real DynamoDB. A conditional
// PutItem costs
// ceil(item size / 1 KB) WCU (a refused condition costs the same); a put inside TransactWriteItems
// costs twice that. The default WRITE_MODE=put uses PutItem for every endpoint.

import { decodeKafkaRecord } from "../src/core/record.ts";
import { buildPut } from "../src/core/item.ts";
import { itemSize } from "../src/core/marshal.ts";
import { changeStream, type StreamOptions } from "./workload.ts";

export type Wcu = {
  items: number;
  meanItemBytes: number;
  maxItemBytes: number;
  shareUpTo1Kb: number;
  putPerSmallRecord: number;
  transactPerSmallRecord: number;
  defaultOnAws: number;
};

export function wcuPerRecord(stream: StreamOptions, sample = 5000): Wcu {
  const options = {
    table: "t",
    keyAttribute: "pk",
    ttlAttribute: "_cdc_expires_at",
    tombstoneTtlSeconds: 0,
    compression: "none" as const,
  };
  const sizes: number[] = [];
  let offset = 0;
  for (const m of changeStream({ ...stream, records: sample })) {
    const at = { topic: "t", partition: 0, offset: String(offset++) };
    const d = decodeKafkaRecord(
      { ...at, key: m.key, value: m.value, headers: {}, timestamp: "0" },
      { versionSource: "auto", epoch: 0 },
    );
    if (d.kind === "change") sizes.push(itemSize(buildPut(d.event, at, options, Date.now()).Item!));
  }
  const small = sizes.filter((s) => s <= 1024);
  const put = small.reduce((a, s) => a + Math.ceil(s / 1024), 0) / Math.max(1, small.length);
  return {
    items: sizes.length,
    meanItemBytes: Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length),
    maxItemBytes: Math.max(...sizes),
    shareUpTo1Kb: small.length / sizes.length,
    putPerSmallRecord: put,
    transactPerSmallRecord: 2 * put,
    defaultOnAws: put,
  };
}
