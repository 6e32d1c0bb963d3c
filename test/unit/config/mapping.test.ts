// ITEM_MAPPING and a route's `mapping` (src/config/mapping.ts): the shape, and docs/mapping.md's
// start-up rules across every mapping in use, each refusal naming where it is configured.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Targets } from "../../../src/config/targets.ts";
import { load } from "./load.ts";

const customers = {
  keyColumns: ["id"],
  partitionKey: { attribute: "PK", template: "CUSTOMER#{id}" },
  sortKey: { attribute: "SK", template: "META" },
  constants: { entity: "CUSTOMER" },
};
const orders = {
  keyColumns: ["customer_id", "order_id"],
  partitionKey: { attribute: "PK", template: "CUSTOMER#{customer_id}" },
  sortKey: { attribute: "SK", template: "ORDER#{order_id}" },
};

test("no mapping: the default layout, built as before", () => {
  const r = load({});
  assert.ok(r.ok);
  assert.equal(r.config.records.mapping, undefined);
  const t = new Targets(r.config).forTopic("pg.public.customers");
  assert.equal(t.mapping, undefined);
  assert.deepEqual(new Targets(r.config).tables()[0]!.mapping.keySchema(), {
    partition: { attribute: "pk", type: "S" },
  });
});

test("ITEM_MAPPING is parsed, checked and built", () => {
  const r = load({
    ITEM_MAPPING: JSON.stringify({
      keyColumns: ["id"],
      partitionKey: { attribute: "id", type: "N", template: "{id}" },
      metadata: "minimal",
    }),
  });
  assert.ok(r.ok, r.ok ? "" : r.errors.join("\n"));
  const t = new Targets(r.config).forTopic("pg.public.customers");
  assert.deepEqual(t.mapping?.keySchema(), { partition: { attribute: "id", type: "N" } });
  assert.equal(t.mapping?.metadata, "minimal");
});

test("a malformed ITEM_MAPPING names the field", () => {
  const r = load({
    ITEM_MAPPING: JSON.stringify({ partitionKey: { template: "{id}", type: "X" }, extra: 1 }),
  });
  assert.ok(!r.ok);
  assert.match(r.errors.join("\n"), /ITEM_MAPPING: partitionKey\.type: /);
  assert.match(r.errors.join("\n"), /ITEM_MAPPING: Unrecognized key: "extra"/);
  const notJson = load({ ITEM_MAPPING: "{" });
  assert.ok(!notJson.ok && /ITEM_MAPPING: is not JSON/.test(notJson.errors.join()));
});

test("an injective single-table design of two routes into one table is accepted", () => {
  const r = load({ KAFKA_TOPICS: "pg.public.customers,pg.public.orders" }, [
    { topic: "pg.public.customers", table: "app", mapping: customers },
    { topic: "pg.public.orders", table: "app", mapping: orders },
  ]);
  assert.ok(r.ok, r.ok ? "" : r.errors.join("\n"));
  // Every topic has a route: DYNAMODB_TABLE is written by none, and not checked.
  const targets = new Targets(r.config);
  assert.deepEqual(
    targets.tables().map((t) => [t.table, t.mapping.keySchema()]),
    [["app", { partition: { attribute: "PK", type: "S" }, sort: { attribute: "SK", type: "S" } }]],
  );
});

test("statically colliding mappings are refused at start-up, naming the routes", () => {
  const same = load({ KAFKA_TOPICS: "pg.public.customers,pg.public.vips" }, [
    { topic: "pg.public.customers", table: "app", mapping: customers },
    { topic: "pg.public.vips", table: "app", mapping: customers },
  ]);
  assert.ok(!same.ok);
  assert.match(
    same.errors.join("\n"),
    /ROUTES_FILE: route 1 \(pg\.public\.customers\) and route 2 \(pg\.public\.vips\) write table app with keys that can be equal/,
  );
  const pattern = load({
    KAFKA_TOPICS: "",
    KAFKA_TOPIC_PATTERN: "^pg\\.",
    ITEM_MAPPING: JSON.stringify({ keyColumns: ["id"], partitionKey: { template: "{id}" } }),
  });
  assert.ok(!pattern.ok);
  assert.match(
    pattern.errors.join("\n"),
    /ITEM_MAPPING: this mapping serves several topics .* must use \{\$source\}/,
  );
  const missing = load({}, [
    {
      topic: "pg.public.customers",
      mapping: { keyColumns: ["a", "b"], partitionKey: { template: "X#{a}" } },
    },
  ]);
  assert.ok(!missing.ok);
  assert.match(
    missing.errors.join("\n"),
    /route 1 \(pg\.public\.customers\): the key templates do not use key column\(s\) b/,
  );
  const schema = load({ KAFKA_TOPICS: "pg.public.customers,pg.public.orders" }, [
    { topic: "pg.public.orders", table: "cdc", mapping: orders },
  ]);
  assert.ok(!schema.ok);
  assert.match(
    schema.errors.join("\n"),
    /ITEM_MAPPING and route 1 \(pg\.public\.orders\) write table cdc with different key schemas/,
  );
});

test("routes without a mapping inherit ITEM_MAPPING, and are checked with it", () => {
  const r = load(
    {
      KAFKA_TOPICS: "pg.public.a,pg.public.b",
      ITEM_MAPPING: JSON.stringify({ keyColumns: ["id"], partitionKey: { template: "C#{id}" } }),
    },
    [
      { topic: "pg.public.a", table: "one" },
      { topic: "pg.public.b", table: "one" },
    ],
  );
  assert.ok(!r.ok);
  assert.match(
    r.errors.join("\n"),
    /route 1 \(pg\.public\.a\) with ITEM_MAPPING and route 2 \(pg\.public\.b\) with ITEM_MAPPING write table one/,
  );
});

test("a key template and TRUNCATE_POLICY=apply are refused together", () => {
  const r = load({
    TRUNCATE_POLICY: "apply",
    ITEM_MAPPING: JSON.stringify({ keyColumns: ["id"], partitionKey: { template: "C#{id}" } }),
  });
  assert.ok(!r.ok);
  assert.match(r.errors.join("\n"), /ITEM_MAPPING: a key template cannot be used with TRUNCATE_POLICY=apply/);
  const route = load({}, [
    {
      topic: "pg.public.customers",
      truncate: "apply",
      mapping: { keyColumns: ["id"], partitionKey: { template: "C#{id}" } },
    },
  ]);
  assert.ok(!route.ok);
  assert.match(
    route.errors.join("\n"),
    /route 1 \(pg\.public\.customers\): a key template cannot be used with truncate apply/,
  );
  assert.ok(load({ TRUNCATE_POLICY: "apply", ITEM_MAPPING: JSON.stringify({ metadata: "minimal" }) }).ok);
});
