// The operator's commands decide a mapped record's outcome as the sink's condition would
// (docs/mapping.md): another row's item at the mapped key is the poison `key_collision`.

import assert from "node:assert/strict";
import { test } from "node:test";
import { PoisonError } from "../../../src/core/errors.ts";
import { encodeId } from "../../../src/core/identity.ts";
import { META } from "../../../src/core/item.ts";
import { TableMapping } from "../../../src/core/mapping.ts";
import type { ChangeEvent, KeyColumn } from "../../../src/core/types.ts";
import { decideWrite } from "../../../src/ops/decide.ts";

const mapping = new TableMapping(
  { keyColumns: ["id"], partitionKey: { attribute: "PK", template: "C#{id}" } },
  { keyAttribute: "pk", ttlAttribute: "_cdc_expires_at", manyTopics: false },
);
const keyColumns: KeyColumn[] = [{ name: "id", value: 1 }];
const event: ChangeEvent = {
  op: "u",
  source: "pg.app.public.customers",
  id: encodeId(keyColumns),
  keyColumns,
  version: `pg:0000:${"5".padStart(20, "0")}`,
  versionScheme: "pg:",
  row: { id: 1 },
};
const stored = (source: string, lsn: string) => ({
  [META.version]: { S: `pg:0000:${lsn.padStart(20, "0")}` },
  [META.source]: { S: source },
  [META.id]: { S: "[1]" },
});

test("the same row's item: applied, duplicate or stale as before", () => {
  assert.equal(decideWrite(event, stored(event.source, "4"), mapping), "applied");
  assert.equal(decideWrite(event, stored(event.source, "5"), mapping), "duplicate");
  assert.equal(decideWrite(event, stored(event.source, "6"), mapping), "stale");
});

test("another row's item at the mapped key: key_collision, whatever its version", () => {
  for (const lsn of ["4", "6"])
    assert.throws(
      () => decideWrite(event, stored("pg.app.public.vips", lsn), mapping),
      (e: unknown) => e instanceof PoisonError && e.code === "key_collision",
    );
  assert.equal(
    decideWrite(event, stored("pg.app.public.vips", "4")),
    "applied",
    "without a mapping: the default key",
  );
});
