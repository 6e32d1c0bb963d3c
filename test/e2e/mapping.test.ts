// Mappings end to end (docs/mapping.md, issue 15): PostgreSQL → Debezium → Kafka → `cdc-sink run`
// → two DynamoDB tables of different key schemas in one deployment, created by `cdc-sink init-table
// --topic`:
//   - orders → `<orders>`: a numeric partition key `order_id` (N), `note` renamed `comment`,
//     `secret` excluded, jsonb `attrs` stored as a native map, minimal metadata;
//   - customers and order_lines → `<app>`: one single-table design, PK/SK `CUSTOMER#{id}`/`META`
//     and `ORDER#{order_id}`/`LINE#{line_no}`, an entity constant on each.
// A pre-existing item at a customer's mapped key (another writer's row) makes that change a
// run-time key collision, dead-lettered as `key_collision` and the item left as it was. A replay by
// a new group applies 0 and leaves both tables identical; a table whose key schema does not match
// the mapping makes `run` exit 3 naming the attribute.

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { PutItemCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { initTable } from "../../src/adapters/dynamodb/table.ts";
import type { Item as CoreItem } from "../../src/core/attribute-value.ts";
import { itemSize } from "../../src/core/marshal.ts";
import { canonical, dynamoClient, scanItems } from "../support/dynamo.ts";
import { caughtUp, readTopic } from "../support/kafka-progress.ts";
import { createTopic, withAdmin } from "../support/kafka.ts";
import { pipelineNames, uniqueName } from "../support/names.ts";
import { withPg } from "../support/postgres.ts";
import { spawnSink, waitConsuming, type SinkProcess } from "../support/sink-process.ts";
import { cdcEndpoints } from "../support/stack.ts";
import { waitFor } from "../support/wait.ts";
import { connectorConfig, reconcile, startConnector, stopSink, teardown, type Pipeline } from "./pipeline.ts";

type Item = Record<string, AttributeValue>;

let p: Pipeline;
let routesFile: string;
let ordersTable: string;
let appTable: string;
let dlq: string;
const sinks = new Set<SinkProcess>();
const topic = (table: string) => `${p.prefix}.${p.schema}.${table}`;

function routes(orders = ordersTable): unknown[] {
  return [
    {
      topic: topic("orders"),
      table: orders,
      mapping: {
        keyColumns: ["order_id"],
        partitionKey: { attribute: "order_id", type: "N", template: "{order_id}" },
        rename: { note: "comment" },
        exclude: ["secret"],
        jsonColumns: ["attrs"],
        metadata: "minimal",
      },
    },
    {
      topic: topic("customers"),
      table: appTable,
      mapping: {
        keyColumns: ["id"],
        partitionKey: { attribute: "PK", template: "CUSTOMER#{id}" },
        sortKey: { attribute: "SK", template: "META" },
        constants: { entity: "CUSTOMER" },
      },
    },
    {
      topic: topic("order_lines"),
      table: appTable,
      mapping: {
        keyColumns: ["order_id", "line_no"],
        partitionKey: { attribute: "PK", template: "ORDER#{order_id}" },
        sortKey: { attribute: "SK", template: "LINE#{line_no}" },
        constants: { entity: "LINE" },
      },
    },
  ];
}

function writeRoutes(list: unknown[]): string {
  const file = join(mkdtempSync(join(tmpdir(), "routes-")), "routes.json");
  writeFileSync(file, JSON.stringify(list));
  return file;
}

function sinkEnv(group: string, file = routesFile): Record<string, string> {
  return {
    KAFKA_TOPICS: ["orders", "customers", "order_lines"].map(topic).join(","),
    KAFKA_GROUP_ID: group,
    DYNAMODB_TABLE: ordersTable,
    ROUTES_FILE: file,
    DLQ_TOPIC: dlq,
  };
}

/** A DynamoDB value as plain JSON (numbers as numbers): for comparing a native map with jsonb. */
function plain(v: AttributeValue): unknown {
  if (v.M !== undefined) return Object.fromEntries(Object.entries(v.M).map(([k, x]) => [k, plain(x)]));
  if (v.L !== undefined) return v.L.map(plain);
  if (v.N !== undefined) return Number(v.N);
  if (v.NULL !== undefined) return null;
  return v.S ?? v.BOOL;
}

async function sql(statements: string[]): Promise<void> {
  await withPg(p.ep.postgresUrl, async (c) => {
    for (const s of statements) await c.query(s);
  });
}

async function rows<T>(query: string): Promise<T[]> {
  return withPg(p.ep.postgresUrl, async (c) => (await c.query(query)).rows as T[]);
}

async function runUntilCaughtUp(group: string): Promise<Record<string, number>> {
  const s = spawnSink(p.ep, sinkEnv(group));
  sinks.add(s);
  await waitConsuming(s);
  for (const t of ["orders", "customers", "order_lines"])
    await waitFor(() => caughtUp(p.ep.kafkaBrokers, group, topic(t)), {
      timeoutMs: 120_000,
      message: `${t} not caught up:\n${s.output().slice(-3000)}`,
    });
  return stopSink(s);
}

/** Every item of a table, strongly consistent (scanTable keys by a string partition key). */
const scanAll = (table: string): Promise<Item[]> => scanItems(p.ep.dynamodbEndpoint, table);

async function scan(table: string, keys: string[]): Promise<Map<string, Item>> {
  const items = await scanAll(table);
  return new Map(items.map((item) => [keys.map((k) => JSON.stringify(item[k])).join(" "), item]));
}

before(async () => {
  const ep = cdcEndpoints();
  const base = pipelineNames(ep, "e2e_map", "orders");
  const s = base.schema;
  const database = await withPg(ep.postgresUrl, async (c) => {
    await c.query(`CREATE SCHEMA ${s}`);
    await c.query(
      `CREATE TABLE ${s}.orders (order_id bigint PRIMARY KEY, customer_id int NOT NULL, total numeric(10,2), note text, secret text, attrs jsonb)`,
    );
    await c.query(`CREATE TABLE ${s}.customers (id int PRIMARY KEY, name text NOT NULL, email text)`);
    await c.query(
      `CREATE TABLE ${s}.order_lines (order_id bigint, line_no int, sku text, qty int, PRIMARY KEY (order_id, line_no))`,
    );
    // The connector's signal table (pipeline.ts's connector settings name it); never written here.
    await c.query(
      `CREATE TABLE ${s}.debezium_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))`,
    );
    await c.query(`CREATE PUBLICATION ${base.publication} FOR TABLES IN SCHEMA ${s}`);
    for (let i = 1; i <= 20; i++) {
      await c.query(`INSERT INTO ${s}.orders VALUES ($1, $2, $3, $4, 'pw', $5)`, [
        9_000_000_000 + i,
        i % 5,
        `${i}.50`,
        `note ${i}`,
        JSON.stringify({
          tags: ["a", `t${i}`],
          dims: { w: i, deep: { x: [1, { y: null }] } },
          ok: i % 2 === 0,
        }),
      ]);
      await c.query(`INSERT INTO ${s}.order_lines VALUES ($1, 1, 'sku-a', $2), ($1, 2, 'sku-b', 1)`, [
        9_000_000_000 + i,
        i,
      ]);
    }
    for (let i = 1; i <= 10; i++)
      await c.query(`INSERT INTO ${s}.customers VALUES ($1, $2, $3)`, [i, `name ${i}`, `c${i}@example.com`]);
    return (await c.query<{ db: string }>("SELECT current_database() AS db")).rows[0]!.db;
  });

  p = {
    ...base,
    database,
    connectorConfig: connectorConfig({ ...base, database }, true, {}),
    reconcileFlags: [],
  };
  ordersTable = base.table;
  appTable = uniqueName("app");
  dlq = uniqueName("dlq");
  routesFile = writeRoutes(routes());
  await createTopic(ep.kafkaBrokers, dlq, 1);
});

after(async () => {
  for (const s of sinks) s.child.kill("SIGKILL");
  if (p !== undefined) await teardown(p);
});

test("init-table creates each route's table from its mapping", async () => {
  for (const [t, table, keySchema] of [
    ["orders", ordersTable, { partition: { attribute: "order_id", type: "N" } }],
    [
      "customers",
      appTable,
      { partition: { attribute: "PK", type: "S" }, sort: { attribute: "SK", type: "S" } },
    ],
    [
      "order_lines",
      appTable,
      { partition: { attribute: "PK", type: "S" }, sort: { attribute: "SK", type: "S" } },
    ],
  ] as const) {
    const s = spawnSink(p.ep, sinkEnv("unused"), ["init-table", "--topic", topic(t), "--json"]);
    const { code } = await s.exited;
    assert.equal(code, 0, s.output());
    const line = s
      .output()
      .split("\n")
      .find((l) => l.startsWith('{"table"'));
    assert.ok(line !== undefined, s.output());
    const out = JSON.parse(line) as { table: string; outcome: string; keySchema: unknown };
    assert.equal(out.table, table);
    assert.equal(out.outcome, t === "order_lines" ? "exists" : "created");
    assert.deepEqual(out.keySchema, keySchema);
  }
});

test("each shape lands as mapped; a run-time collision is dead-lettered; a replay applies 0", async (t) => {
  // Another writer's item sits where customer 999 maps: the sink must refuse it, not overwrite it.
  const foreign: Item = {
    PK: { S: "CUSTOMER#999" },
    SK: { S: "META" },
    _cdc_version: { S: `pg:0000:${"0".repeat(20)}` },
    _cdc_source: { S: "legacy.crm.customers" },
    _cdc_id: { S: "[999]" },
    name: { S: "kept" },
  };
  const client = dynamoClient(p.ep.dynamodbEndpoint);
  await client.send(new PutItemCommand({ TableName: appTable, Item: foreign }));
  client.destroy();

  await startConnector(p);
  await waitFor(
    async () => {
      const topics = await withAdmin(p.ep.kafkaBrokers, (a) => a.listTopics());
      return ["orders", "customers", "order_lines"].every((x) => topics.includes(topic(x)));
    },
    { timeoutMs: 120_000, message: "Debezium did not create the topics" },
  );
  const s = p.schema;
  await sql([
    `UPDATE ${s}.orders SET note = 'changed', attrs = '{"tags":[],"n":12345678901234567890}' WHERE order_id = 9000000001`,
    `UPDATE ${s}.orders SET total = total + 1 WHERE order_id <= 9000000005`,
    `DELETE FROM ${s}.orders WHERE order_id IN (9000000006, 9000000007)`,
    `DELETE FROM ${s}.customers WHERE id = 3`,
    `UPDATE ${s}.customers SET email = NULL WHERE id = 4`,
    `INSERT INTO ${s}.customers VALUES (999, 'collides', NULL)`,
    `UPDATE ${s}.order_lines SET qty = qty * 10 WHERE line_no = 1`,
    `DELETE FROM ${s}.order_lines WHERE order_id = 9000000002 AND line_no = 2`,
    `INSERT INTO ${s}.order_lines VALUES (9000000001, 3, 'sku-c', 3)`,
  ]);
  // Every change is in Kafka before the sink starts, so that "caught up" means "all applied": the
  // snapshot reads, then each statement's events (a delete is an event and a Kafka tombstone).
  const expected = { orders: 20 + 1 + 5 + 2 * 2, customers: 10 + 2 + 1 + 1, order_lines: 40 + 20 + 2 + 1 };
  await waitFor(
    async () => {
      const ends = await withAdmin(p.ep.kafkaBrokers, async (a) =>
        Promise.all(
          Object.keys(expected).map(async (x) =>
            (await a.fetchTopicOffsets(topic(x))).reduce((n, o) => n + Number(o.high), 0),
          ),
        ),
      );
      return ends.every((n, i) => n >= Object.values(expected)[i]!);
    },
    { timeoutMs: 120_000, message: "Debezium did not publish every change" },
  );
  const first = await runUntilCaughtUp(p.group);
  t.diagnostic(`first run ${JSON.stringify(first)}`);
  assert.equal(first["dead_lettered"], 1, "the colliding insert");

  // Numeric key, renames, exclusions, jsonb as a map, minimal metadata.
  const orders = await scan(ordersTable, ["order_id"]);
  const pgOrders = await rows<{
    order_id: string;
    customer_id: number;
    total: string;
    note: string;
    attrs: unknown;
  }>(`SELECT order_id, customer_id, total::text, note, attrs FROM ${s}.orders`);
  assert.equal(orders.size, 20, "18 live orders and 2 tombstones");
  for (const r of pgOrders) {
    const item = orders.get(JSON.stringify({ N: r.order_id }))!;
    assert.ok(item !== undefined, `order ${r.order_id}`);
    assert.deepEqual(
      Object.keys(item).sort(),
      [
        "_cdc_deleted",
        "_cdc_id",
        "_cdc_source",
        "_cdc_source_ts_ms",
        "_cdc_version",
        "attrs",
        "comment",
        "customer_id",
        "total",
      ]
        .concat(["order_id"])
        .sort(),
    );
    assert.equal(item["comment"]!.S, r.note);
    assert.equal(Number(item["total"]!.N), Number(r.total));
    assert.deepEqual(plain(item["attrs"]!), JSON.parse(JSON.stringify(r.attrs)) as unknown);
    assert.equal(item["_cdc_deleted"]!.BOOL, false);
  }
  assert.deepEqual(orders.get(JSON.stringify({ N: "9000000001" }))!["attrs"]!.M!["n"], {
    N: "12345678901234567890",
  });
  for (const id of ["9000000006", "9000000007"]) {
    const tomb = orders.get(JSON.stringify({ N: id }))!;
    assert.equal(tomb["_cdc_deleted"]!.BOOL, true, `order ${id} is a tombstone`);
    assert.equal(tomb["comment"], undefined);
  }

  // Two source tables in one single-table design.
  const mean = (items: Iterable<Item>, live: boolean) => {
    const sizes = [...items]
      .filter((i) => (i["_cdc_deleted"]?.BOOL === true) !== live)
      .map((i) => itemSize(i as CoreItem));
    return Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length);
  };
  const app = await scan(appTable, ["PK", "SK"]);
  const at = (pk: string, sk: string) => app.get(`${JSON.stringify({ S: pk })} ${JSON.stringify({ S: sk })}`);
  assert.equal(app.size, 11 + 41, "11 customer items (one foreign), 41 line items (one tombstone)");
  for (const c of await rows<{ id: number; name: string; email: string | null }>(
    `SELECT * FROM ${s}.customers WHERE id <> 999`,
  )) {
    const item = at(`CUSTOMER#${c.id}`, "META")!;
    assert.equal(item["entity"]!.S, "CUSTOMER");
    assert.equal(item["name"]!.S, c.name);
    assert.deepEqual(item["email"], c.email === null ? { NULL: true } : { S: c.email });
    assert.equal(item["_cdc_op"]!.S === "d", false);
  }
  assert.equal(at("CUSTOMER#3", "META")!["_cdc_deleted"]!.BOOL, true);
  assert.deepEqual(
    canonical(at("CUSTOMER#999", "META")!),
    canonical(foreign),
    "the foreign item is untouched",
  );
  for (const l of await rows<{ order_id: string; line_no: number; sku: string; qty: number }>(
    `SELECT * FROM ${s}.order_lines`,
  )) {
    const item = at(`ORDER#${l.order_id}`, `LINE#${l.line_no}`)!;
    assert.equal(item["entity"]!.S, "LINE");
    assert.equal(item["sku"]!.S, l.sku);
    assert.equal(Number(item["qty"]!.N), l.qty);
  }
  assert.equal(at("ORDER#9000000002", "LINE#2")!["_cdc_deleted"]!.BOOL, true);
  t.diagnostic(
    `item bytes (mean, as read back): orders minimal live ${mean(orders.values(), true)}, tombstone ` +
      `${mean(orders.values(), false)}; app full live ${mean(app.values(), true)}, tombstone ${mean(app.values(), false)}`,
  );

  const dead = await readTopic(p.ep.kafkaBrokers, dlq, 1, 60_000);
  assert.equal(dead.length, 1);
  assert.equal(dead[0]!.headers["cdc.error.code"], "key_collision");
  assert.match(dead[0]!.headers["__connect.errors.exception.message"] ?? "", /already holds another row/);

  // Reconcile compares each source table with its mapped items, one mapping per run.
  const mappingOf = (t: string) =>
    JSON.stringify(
      (routes() as { topic: string; mapping: unknown }[]).find((r) => r.topic === topic(t))!.mapping,
    );
  const reconciled = [];
  for (const [t, table] of [
    ["orders", ordersTable],
    ["order_lines", appTable],
    ["customers", appTable],
  ] as const) {
    const r = await reconcile(p, [t], ["--dynamodb-table", table, "--mapping", mappingOf(t)]);
    reconciled.push(r.reports[0]!);
  }
  t.diagnostic(
    `reconcile ${JSON.stringify(reconciled.map((r) => ({ table: r.table, rows: r.sourceRows, items: r.items, tombstones: r.tombstones, counts: r.counts })))}`,
  );
  assert.deepEqual(
    reconciled.map((r) => r.drift),
    [0, 0, 1],
  );
  // Customer 999's change was refused (the foreign item holds its key): its row has no item.
  assert.deepEqual(reconciled[2]!.examples.missing, [{ key: '{"id":999}' }]);

  // Replay: a new group reads everything again and writes nothing.
  const before = [await scanAll(ordersTable), await scanAll(appTable)];
  const replay = await runUntilCaughtUp(uniqueName("replay"));
  t.diagnostic(`replay ${JSON.stringify(replay)}`);
  assert.equal(replay["applied"], 0);
  assert.equal(replay["dead_lettered"], 1, "the collision again");
  const afterReplay = [await scanAll(ordersTable), await scanAll(appTable)];
  const sorted = (items: Item[]) => items.map((i) => JSON.stringify(canonical(i))).sort();
  assert.deepEqual(afterReplay.map(sorted), before.map(sorted));
});

test("a table whose key schema does not match the mapping: run exits 3 naming the attribute", async () => {
  const wrong = uniqueName("wrong");
  const client = dynamoClient(p.ep.dynamodbEndpoint);
  try {
    await initTable(client, wrong, { partition: { attribute: "order_id", type: "S" } });
  } finally {
    client.destroy();
  }
  const s = spawnSink(p.ep, sinkEnv(uniqueName("g"), writeRoutes(routes(wrong))));
  sinks.add(s);
  const { code } = await s.exited;
  assert.equal(code, 3, s.output());
  assert.match(
    s.output(),
    new RegExp(
      `table ${wrong} does not match the configuration: partition key order_id type is S, the mapping's N \\(number\\)`,
    ),
  );
  assert.match(s.output(), /key_schema_mismatch/);
});
