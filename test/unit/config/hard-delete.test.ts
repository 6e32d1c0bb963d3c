// `deletes: "hard"` in ITEM_MAPPING and a route's mapping (docs/mapping.md#hard-deletes): the
// companion table each target gets, and the start-up refusals.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Targets } from "../../../src/config/targets.ts";
import { load } from "./load.ts";

const customers = {
  keyColumns: ["id"],
  partitionKey: { attribute: "PK", template: "CUSTOMER#{id}" },
  sortKey: { attribute: "SK", template: "META" },
};

test("ITEM_MAPPING deletes hard: the companion table is <table>-cdc-tombstones, and start-up checks it", () => {
  const r = load({ ITEM_MAPPING: JSON.stringify({ deletes: "hard" }) });
  assert.ok(r.ok, r.ok ? "" : r.errors.join("\n"));
  const targets = new Targets(r.config);
  assert.equal(targets.forTopic("pg.public.customers").tombstoneTable, "cdc-cdc-tombstones");
  assert.equal(targets.forTopic("pg.public.customers").mapping?.deletes, "hard");
  assert.deepEqual(targets.tables()[0]!.tombstoneTables, ["cdc-cdc-tombstones"]);
});

test("tombstone deletes (the default) have no companion table", () => {
  const r = load({ ITEM_MAPPING: JSON.stringify({ metadata: "minimal" }) });
  assert.ok(r.ok);
  assert.equal(new Targets(r.config).forTopic("pg.public.customers").tombstoneTable, undefined);
  assert.deepEqual(new Targets(r.config).tables()[0]!.tombstoneTables, []);
});

test("a route's tombstoneTable names the companion; routes into one table list theirs once", () => {
  const r = load({ KAFKA_TOPICS: "pg.public.customers,pg.public.orders" }, [
    {
      topic: "pg.public.customers",
      table: "app",
      mapping: { ...customers, deletes: "hard", tombstoneTable: "app-gone" },
    },
    {
      topic: "pg.public.orders",
      table: "app",
      mapping: {
        keyColumns: ["id"],
        partitionKey: { attribute: "PK", template: "ORDER#{id}" },
        sortKey: { attribute: "SK", template: "META" },
      },
    },
  ]);
  assert.ok(r.ok, r.ok ? "" : r.errors.join("\n"));
  const targets = new Targets(r.config);
  assert.equal(targets.forTopic("pg.public.customers").tombstoneTable, "app-gone");
  assert.equal(targets.forTopic("pg.public.orders").tombstoneTable, undefined);
  assert.deepEqual(
    targets.tables().map((t) => [t.table, t.tombstoneTables]),
    [["app", ["app-gone"]]],
  );
});

test("deletes hard with truncate apply is refused, for ITEM_MAPPING and for a route", () => {
  const item = load({ ITEM_MAPPING: JSON.stringify({ deletes: "hard" }), TRUNCATE_POLICY: "apply" });
  assert.ok(!item.ok);
  assert.match(item.errors.join("\n"), /ITEM_MAPPING: deletes "hard" cannot be used with truncate apply/);
  const route = load({}, [{ topic: "pg.public.customers", truncate: "apply", mapping: { deletes: "hard" } }]);
  assert.ok(!route.ok);
  assert.match(route.errors.join("\n"), /route 1 \(pg\.public\.customers\): deletes "hard" cannot be used/);
  const other = load({ TRUNCATE_POLICY: "apply" }, [
    { topic: "pg.public.customers", truncate: "skip", mapping: { deletes: "hard" } },
  ]);
  assert.ok(other.ok, other.ok ? "" : other.errors.join("\n"));
});

test("tombstoneTable without deletes hard, the served table itself, or not a table name is refused", () => {
  const unused = load({ ITEM_MAPPING: JSON.stringify({ tombstoneTable: "gone" }) });
  assert.ok(!unused.ok);
  assert.match(unused.errors.join("\n"), /tombstoneTable is the companion table of deletes: "hard"/);
  const itself = load({ ITEM_MAPPING: JSON.stringify({ deletes: "hard", tombstoneTable: "cdc" }) });
  assert.ok(!itself.ok);
  assert.match(
    itself.errors.join("\n"),
    /tombstoneTable must be another table than the one it serves \(cdc\)/,
  );
  const bad = load({ ITEM_MAPPING: JSON.stringify({ deletes: "hard", tombstoneTable: "a b" }) });
  assert.ok(!bad.ok);
  assert.match(bad.errors.join("\n"), /tombstoneTable: must be a DynamoDB table name/);
  const mode = load({ ITEM_MAPPING: JSON.stringify({ deletes: "soft" }) });
  assert.ok(!mode.ok);
  assert.match(mode.errors.join("\n"), /ITEM_MAPPING: deletes: /);
});
