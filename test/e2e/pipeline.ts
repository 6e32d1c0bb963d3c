// The pieces of a real pipeline for the end-to-end suite: a source schema with a schema-wide
// publication (so a table created later is captured too), a Debezium connector, the sink as an OS
// process, the fence that says "everything committed so far has arrived", and `cdc-sink reconcile`
// run through the CLI as the oracle.

import { spawn } from "node:child_process";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { encodeId, itemKey } from "../../src/core/identity.ts";
import { JsonNumber } from "../../src/core/json.ts";
import type { DriftReport } from "../../src/reconcile/compare.ts";
import { dynamoClient } from "../support/dynamo.ts";
import { caughtUp, groupProgress } from "../support/kafka-progress.ts";
import { uniqueName } from "../support/names.ts";
import { CLI, spawnSink, waitConsuming, type SinkProcess } from "../support/sink-process.ts";
import {
  debeziumPostgresConfig,
  deleteConnector,
  putConnector,
  waitConnectorRunning,
  waitSlotActive,
} from "../support/debezium-connect.ts";
import { kafkaClient, withAdmin } from "../support/kafka.ts";
import { dropSlot, withPg } from "../support/postgres.ts";
import type { cdcEndpoints } from "../support/stack.ts";
import { waitFor } from "../support/wait.ts";
import { schemaDdl } from "./schema.ts";

export type Cdc = ReturnType<typeof cdcEndpoints>;

export type Pipeline = {
  readonly ep: Cdc;
  readonly schema: string;
  readonly prefix: string;
  readonly connector: string;
  readonly slot: string;
  readonly publication: string;
  readonly table: string;
  readonly group: string;
  readonly database: string;
  readonly connectorConfig: Record<string, string>;
  /** reconcile's flags for the connector's converter settings. */
  readonly reconcileFlags: string[];
  /** reconcile's --db when the source is not the stack's PostgreSQL (MySQL: mysql://…/<database>). */
  readonly dbUrl?: string;
  /** The fence table's source name when not PREFIX.<database>.<schema>.fence (MySQL has no schema). */
  readonly fenceSource?: string;
};

export async function createSource(ep: Cdc, schema: string, publication: string): Promise<string> {
  return withPg(ep.postgresUrl, async (c) => {
    for (const ddl of schemaDdl(schema)) await c.query(ddl);
    await c.query(`CREATE PUBLICATION ${publication} FOR TABLES IN SCHEMA ${schema}`);
    return (await c.query<{ db: string }>("SELECT current_database() AS db")).rows[0]!.db;
  });
}

export function connectorConfig(
  p: Omit<Pipeline, "connectorConfig" | "reconcileFlags">,
  schemas: boolean,
  extra: Record<string, string>,
): Record<string, string> {
  return debeziumPostgresConfig(p.ep.postgresUrl, {
    topicPrefix: p.prefix,
    slot: p.slot,
    publication: p.publication,
    tables: [],
    schemas,
    extra: {
      "table.include.list": "",
      "schema.include.list": p.schema,
      // The publication is FOR TABLES IN SCHEMA, made by us: new tables join it by themselves.
      "publication.autocreate.mode": "disabled",
      "signal.data.collection": `${p.schema}.debezium_signal`,
      "notification.enabled.channels": "sink",
      "notification.sink.topic.name": `${p.prefix}.notifications`,
      ...extra,
    },
  });
}

/**
 * Debezium's ExtractNewRecordState as docs/formats/flattened.md recommends: the position and op the
 * sink versions by, the source's names (the item keys of the envelope format), rewritten deletes.
 */
export const UNWRAP: Readonly<Record<string, string>> = {
  transforms: "unwrap",
  "transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState",
  "transforms.unwrap.add.fields": "op,lsn,source.ts_ms,name,db,schema,table",
  "transforms.unwrap.delete.tombstone.handling.mode": "rewrite",
};

/**
 * Apicurio's Avro converter for keys and values, writing the Confluent wire format the sink reads
 * (docs/formats/avro.md): the 2.6 converter registers through the registry's v2 API; as-confluent
 * writes a 4-byte id after the magic byte, headers.enabled=false puts it in the record rather than
 * in headers, and use-id=contentId writes the id that Apicurio's /apis/ccompat/v7 serves.
 */
export function avroConverters(ccompatUrl: string): Record<string, string> {
  const url = ccompatUrl.replace(/\/apis\/ccompat\/v7\/?$/, "/apis/registry/v2");
  const out: Record<string, string> = {};
  for (const side of ["key", "value"]) {
    out[`${side}.converter`] = "io.apicurio.registry.utils.converter.AvroConverter";
    out[`${side}.converter.apicurio.registry.url`] = url;
    out[`${side}.converter.apicurio.registry.auto-register`] = "true";
    out[`${side}.converter.apicurio.registry.headers.enabled`] = "false";
    out[`${side}.converter.apicurio.registry.as-confluent`] = "true";
    out[`${side}.converter.apicurio.registry.use-id`] = "contentId";
  }
  return out;
}

export async function startConnector(p: Pipeline): Promise<void> {
  await putConnector(p.ep.connectUrl, p.connector, p.connectorConfig);
  await waitConnectorRunning(p.ep.connectUrl, p.connector);
  await waitSlotActive(p.ep.postgresUrl, p.slot);
}

export async function teardown(p: Pipeline): Promise<void> {
  await deleteConnector(p.ep.connectUrl, p.connector).catch(() => undefined);
  await dropSlot(p.ep.postgresUrl, p.slot).catch(() => undefined);
  await withPg(p.ep.postgresUrl, async (c) => {
    await c.query(`DROP PUBLICATION IF EXISTS ${p.publication}`);
    await c.query(`DROP SCHEMA IF EXISTS ${p.schema} CASCADE`);
  }).catch(() => undefined);
}

export function sourceName(p: Pipeline, table: string): string {
  return [p.prefix, p.database, p.schema, table].join(".");
}

export function startSink(p: Pipeline, env: Record<string, string> = {}): SinkProcess {
  const escaped = `${p.prefix}.${p.schema}.`.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return spawnSink(p.ep, {
    KAFKA_TOPIC_PATTERN: `^${escaped}`,
    KAFKA_GROUP_ID: p.group,
    DYNAMODB_TABLE: p.table,
    KAFKA_METADATA_MAX_AGE_MS: "2000",
    MAX_IN_FLIGHT: "32",
    ...env,
  });
}

/** SIGTERM, exit 0, and the outcome counts of the process's "stopped" line. */
export async function stopSink(sink: SinkProcess): Promise<Record<string, number>> {
  sink.child.kill("SIGTERM");
  const { code } = await sink.exited;
  if (code !== 0) throw new Error(`the sink exited ${code}:\n${sink.output().slice(-4000)}`);
  for (const line of sink.output().split("\n").reverse()) {
    if (!line.includes('"msg":"stopped:')) continue;
    return (JSON.parse(line) as { counts: Record<string, number> }).counts;
  }
  throw new Error(`no "stopped" line in the sink's output:\n${sink.output().slice(-2000)}`);
}

/** Waits until the fence item in DynamoDB carries `n`: every commit before the fence's was applied. */
export async function waitFence(
  p: Pipeline,
  n: number,
  sink: SinkProcess,
  timeoutMs = 120_000,
): Promise<void> {
  const client = dynamoClient(p.ep.dynamodbEndpoint);
  const pk = itemKey(
    p.fenceSource ?? sourceName(p, "fence"),
    encodeId([{ name: "id", value: new JsonNumber("1") }]),
  );
  try {
    await waitFor(
      async () => {
        const item = await client.send(
          new GetItemCommand({ TableName: p.table, Key: { pk: { S: pk } }, ConsistentRead: true }),
        );
        return Number(item.Item?.["n"]?.N ?? "-1") >= n;
      },
      { timeoutMs, intervalMs: 250, message: `fence ${n} did not arrive:\n${sink.output().slice(-3000)}` },
    );
  } finally {
    client.destroy();
  }
}

/**
 * A new consumer group reads the pipeline's topics from their start to their end with the sink
 * `start` makes: its outcome counts. A replay of a converged feed applies nothing.
 */
export async function replay(
  p: Pipeline,
  start: (group: string) => SinkProcess,
): Promise<Record<string, number>> {
  const group = uniqueName("replay");
  const s = start(group);
  await waitConsuming(s);
  for (const topic of await pipelineTopics(p))
    await waitFor(() => caughtUp(p.ep.kafkaBrokers, group, topic), {
      timeoutMs: 120_000,
      message: `the replay did not reach the end of ${topic}:\n${s.output().slice(-2000)}`,
    });
  return stopSink(s);
}

/** Debezium's events on the pipeline's topics so far (Kafka tombstones included): their end offsets. */
export async function eventCount(p: Pipeline): Promise<number> {
  return Number([...(await endOffsets(p)).values()].reduce((n, o) => n + o, 0n));
}

/** What a test reports of reconcile: per table its rows, items, tombstones and drift. */
export function brief(reports: readonly Report[]): Record<string, unknown>[] {
  return reports.map((r) => ({
    table: r.table.split(".")[1],
    rows: r.sourceRows,
    items: r.items,
    tombstones: r.tombstones,
    drift: r.drift,
  }));
}

export async function pipelineTopics(p: Pipeline): Promise<string[]> {
  const all = await withAdmin(p.ep.kafkaBrokers, (admin) => admin.listTopics());
  return all.filter((t) => t.startsWith(`${p.prefix}.${p.schema}.`)).sort();
}

/** Every topic of the pipeline committed to its end by the sink's group. */
export async function waitCaughtUp(p: Pipeline, timeoutMs = 120_000): Promise<void> {
  await waitFor(
    async () => {
      for (const topic of await pipelineTopics(p)) {
        const progress = await groupProgress(p.ep.kafkaBrokers, p.group, topic);
        if (![...progress.values()].every(([committed, high]) => committed === high)) return false;
      }
      return true;
    },
    { timeoutMs, intervalMs: 300, message: "the sink's group did not catch up" },
  );
}

export type Report = DriftReport & { table: string; elapsedMs: number; source: string };
export type Reconciled = { code: number; reports: Report[]; stderr: string };

/** Runs `cdc-sink reconcile --json` on tables of the pipeline (one Scan for all), as an operator would. */
export function reconcile(p: Pipeline, tables: readonly string[], flags: string[] = []): Promise<Reconciled> {
  const args = [
    CLI,
    "reconcile",
    "--db",
    p.dbUrl ?? p.ep.postgresUrl,
    ...tables.flatMap((t) => ["--table", `${p.schema}.${t}`]),
    "--topic-prefix",
    p.prefix,
    "--json",
    ...p.reconcileFlags,
    ...flags,
  ];
  const env = {
    PATH: process.env["PATH"] ?? "",
    DYNAMODB_TABLE: p.table,
    DYNAMODB_ENDPOINT: p.ep.dynamodbEndpoint,
    AWS_REGION: p.ep.awsRegion,
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0 && code !== 1)
        return reject(new Error(`reconcile ${tables.join(",")} exited ${code}: ${err}`));
      const parsed = JSON.parse(out) as Report | Report[];
      resolve({ code: code ?? -1, reports: Array.isArray(parsed) ? parsed : [parsed], stderr: err });
    });
  });
}

/**
 * Reconciles until every table passes `ok` (no drift by default) — the pipeline may still be
 * settling — or fails with the last reports.
 */
export async function converged(
  p: Pipeline,
  tables: readonly string[],
  ok: (r: Report) => boolean = (r) => r.drift === 0,
  timeoutMs = 60_000,
): Promise<Report[]> {
  let last: Reconciled | undefined;
  try {
    const done = await waitFor(
      async () => {
        last = await reconcile(p, tables);
        return last.reports.every(ok) ? last : false;
      },
      { timeoutMs, intervalMs: 1000, message: `${tables.join(", ")} did not converge` },
    );
    return done.reports;
  } catch (err) {
    throw new Error(`${(err as Error).message}: ${JSON.stringify(last?.reports)}`, { cause: err });
  }
}

export type TopicEvent = {
  topic: string;
  key: string;
  op: string;
  lsn: string;
  sequence: string;
  snapshot: string;
};

/** Each partition's end offset now ("topic/partition" → offset): where a later readEvents may start. */
export async function endOffsets(p: Pipeline): Promise<Map<string, bigint>> {
  const topics = await pipelineTopics(p);
  const ends = new Map<string, bigint>();
  await withAdmin(p.ep.kafkaBrokers, async (admin) => {
    for (const t of topics)
      for (const o of await admin.fetchTopicOffsets(t)) ends.set(`${t}/${o.partition}`, BigInt(o.high));
  });
  return ends;
}

/** The Debezium events of the pipeline's topics (Kafka tombstones left out) from `from` to their end. */
export async function readEvents(
  p: Pipeline,
  from: ReadonlyMap<string, bigint> = new Map(),
): Promise<TopicEvent[]> {
  const ends = await endOffsets(p);
  const topics = [...new Set([...ends.keys()].map((k) => k.slice(0, k.lastIndexOf("/"))))];
  const consumer = kafkaClient(p.ep.kafkaBrokers, "e2e-reader").consumer({
    groupId: `${p.group}-reader-${Date.now()}`,
  });
  const events: TopicEvent[] = [];
  const done = new Set<string>([...ends].filter(([k, high]) => high === (from.get(k) ?? 0n)).map(([k]) => k));
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          if (BigInt(m.offset) < (from.get(`${batch.topic}/${batch.partition}`) ?? 0n)) continue;
          if (m.value !== null) {
            const v = JSON.parse(m.value.toString()) as { payload?: unknown };
            const env = (v.payload ?? v) as {
              op: string;
              source: {
                lsn?: unknown;
                sequence?: string;
                snapshot?: string;
                file?: string;
                pos?: number;
                row?: number;
              };
            };
            const { source } = env;
            events.push({
              topic: batch.topic,
              key: m.key?.toString() ?? "",
              op: env.op,
              // MySQL's binlog position stands in for PostgreSQL's LSN: file, event position, row.
              lsn:
                source.file === undefined ? String(source.lsn) : `${source.file}:${source.pos}:${source.row}`,
              sequence: source.sequence ?? "",
              snapshot: String(source.snapshot),
            });
          }
          if (BigInt(m.offset) + 1n >= ends.get(`${batch.topic}/${batch.partition}`)!)
            done.add(`${batch.topic}/${batch.partition}`);
        }
        return Promise.resolve();
      },
    });
    // Seek past what an earlier read saw (kafkajs takes seeks once run() has started).
    for (const [k, offset] of from)
      if (offset > 0n)
        consumer.seek({
          topic: k.slice(0, k.lastIndexOf("/")),
          partition: Number(k.slice(k.lastIndexOf("/") + 1)),
          offset: String(offset),
        });
    await waitFor(() => done.size === ends.size, {
      timeoutMs: 120_000,
      message: "could not read the pipeline's topics to their end",
    });
  } finally {
    await consumer.disconnect();
  }
  return events;
}

/** Events that are exact repeats of an earlier one (same topic, key, op and log position). */
export function repeats(events: readonly TopicEvent[]): number {
  const seen = new Set<string>();
  let n = 0;
  for (const e of events) {
    if (e.op === "r") continue; // snapshot reads repeat by design: a new snapshot reads the row again
    const id = JSON.stringify([e.topic, e.key, e.op, e.lsn, e.sequence]);
    if (seen.has(id)) n++;
    else seen.add(id);
  }
  return n;
}

/**
 * Waits until Debezium has notified `count` completed snapshots of a kind ("Incremental Snapshot", "Initial
 * Snapshot").
 */
export async function waitSnapshotCompleted(
  p: Pipeline,
  kind = "Incremental Snapshot",
  count = 1,
  timeoutMs = 120_000,
): Promise<void> {
  const consumer = kafkaClient(p.ep.kafkaBrokers, "e2e-notifications").consumer({
    groupId: `${p.group}-notes-${Date.now()}`,
  });
  let completed = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [`${p.prefix}.notifications`], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const v = JSON.parse(message.value?.toString() ?? "{}") as { payload?: unknown };
        const n = (v.payload ?? v) as { aggregate_type?: string; type?: string };
        if (n.aggregate_type === kind && n.type === "COMPLETED") completed++;
        return Promise.resolve();
      },
    });
    await waitFor(() => completed >= count, {
      timeoutMs,
      intervalMs: 250,
      message: `${count} ${kind} notification(s) did not come`,
    });
  } finally {
    await consumer.disconnect();
  }
}

/** Creates the logical slot before the connector exists, so a snapshot can start after a transaction did. */
export async function createSlot(p: Pipeline): Promise<void> {
  await withPg(p.ep.postgresUrl, (c) =>
    c.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [p.slot]),
  );
}
