import assert from "node:assert/strict";
import { test } from "node:test";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { decodeKafkaRecord } from "../../../src/core/record.ts";
import { PoisonError } from "../../../src/core/errors.ts";
import { META } from "../../../src/core/item.ts";
import type { ChangeEvent } from "../../../src/core/types.ts";
import { compareVersions, decideWrite, writeUnits } from "../../../src/ops/decide.ts";
import { explain, prepare } from "../../../src/ops/explain.ts";
import { pgRecord, record } from "../../support/debezium-records.ts";

const decode = { versionSource: "auto", epoch: 0 } as const;
const items = {
  table: "t",
  keyAttribute: "pk",
  ttlAttribute: "_cdc_expires_at",
  tombstoneTtlSeconds: 0,
  compression: "none",
} as const;

function event(lsn: number): ChangeEvent {
  const d = decodeKafkaRecord(pgRecord({ op: "u", id: 7, lsn, lastCommitLsn: lsn }, 3), decode);
  assert.equal(d.kind, "change");
  return (d as { event: ChangeEvent }).event;
}
const stored = (version: string | undefined): Record<string, AttributeValue> =>
  version === undefined ? { pk: { S: "k" } } : { [META.version]: { S: version } };

test("the guard's table: no item or an older version applies, equal is duplicate, newer is stale", () => {
  const e = event(200);
  assert.equal(decideWrite(e, undefined), "applied");
  assert.equal(decideWrite(e, stored(event(100).version)), "applied");
  assert.equal(decideWrite(e, stored(e.version)), "duplicate");
  assert.equal(decideWrite(e, stored(event(300).version)), "stale");
});

test("an item without a version, or of another scheme, is poison with the sink's codes", () => {
  const e = event(200);
  assert.throws(
    () => decideWrite(e, stored(undefined)),
    (err: PoisonError) => err.code === "foreign_item",
  );
  assert.throws(
    () => decideWrite(e, stored("ko:0000:00000000000000000009")),
    (err: PoisonError) => err.code === "version_scheme_mismatch",
  );
});

test("versions are compared field by field; the first differing field decides", () => {
  const rows = compareVersions(event(200).version, event(300).version);
  assert.deepEqual(
    rows.map((r) => r.field),
    ["scheme", "epoch", "lastCommitLsn", "rank", "lsn"],
  );
  assert.equal(rows.find((r) => r.order !== "=")?.field, "lastCommitLsn");
  assert.equal(rows.find((r) => r.order !== "=")?.order, "<");
});

test("write units: one per started KB, twice that in a transaction", () => {
  assert.deepEqual(writeUnits(1), { put: 1, transact: 2 });
  assert.deepEqual(writeUnits(1024), { put: 1, transact: 2 });
  assert.deepEqual(writeUnits(1025), { put: 2, transact: 4 });
});

test("explain: a newer stored item makes the record stale, and names both versions", () => {
  const r = pgRecord({ op: "u", id: 7, lsn: 200, lastCommitLsn: 200, row: { name: "a" } }, 3);
  const p = prepare(r, decode, items, 1000);
  assert.equal(p.kind, "change");
  const e = explain(r, p, stored(event(300).version), "t");
  assert.equal(e.outcome, "stale");
  assert.equal(e.identity?.itemKey, "pg.app.public.customers:[7]");
  assert.match(e.reason, /newer than the record's/);
  assert.ok((e.item?.sizeBytes ?? 0) > 0);
  assert.ok(e.item?.attributes.some((a) => a.name === "name" && a.type === "S"));
});

test("explain: undecodable and oversized records are poison with their codes; tombstones skip", () => {
  const bad = record({ offset: "1", key: Buffer.from('{"id":1}'), value: Buffer.from("{not json") });
  assert.deepEqual(explain(bad, prepare(bad, decode, items, 0), undefined, "t").code, "undecodable");
  const big = pgRecord({ op: "c", id: 1, lsn: 5, row: { blob: "x".repeat(500_000) } }, 2);
  const e = explain(big, prepare(big, decode, items, 0), undefined, "t");
  assert.equal(e.outcome, "poison");
  assert.equal(e.code, "item_too_large");
  const gz = prepare(big, decode, { ...items, compression: "gzip" }, 0);
  assert.equal(explain(big, gz, undefined, "t").outcome, "applied");
  const tomb = record({ offset: "4", key: Buffer.from('{"id":1}'), value: null });
  assert.equal(explain(tomb, prepare(tomb, decode, items, 0), undefined, "t").outcome, "skipped");
});

test("explain: a truncate is skipped by default; with TRUNCATE_POLICY=apply it names its source and version", () => {
  const value = Buffer.from(
    JSON.stringify({
      op: "t",
      source: { connector: "postgresql", name: "pg", db: "app", schema: "public", table: "c", lsn: 9 },
    }),
  );
  const r = record({ offset: "4", value });
  const skipped = explain(r, prepare(r, decode, items, 0), undefined, "t");
  assert.equal(skipped.outcome, "skipped");
  assert.match(skipped.reason, /^truncate: .*TRUNCATE_POLICY=skip/);
  const applied = explain(r, prepare(r, { ...decode, truncate: "apply" }, items, 0), undefined, "t");
  assert.equal(applied.outcome, "truncate");
  assert.equal(applied.version, `pg:0000:${"9".padStart(20, "0")}:1:${"9".padStart(20, "0")}`);
  assert.match(
    applied.reason,
    /each item of source pg\.app\.public\.c with a pg: version older than pg:0000:/,
  );
  assert.match(applied.reason, /a Scan of t\)$/);
});
