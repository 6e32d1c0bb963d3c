// What every fault scenario shares: a stack (the test stack, or a private one for scenarios that
// kill the broker or the store), a pre-filled topic with its ledger, a table with a stream,
// consumers as separate OS processes, the commit auditor, and the checker's one-line verdict.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateTableCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import type { Admin, Producer } from "kafkajs";
import { startStack, stopStack } from "../../tools/stack/index.ts";
import { stackEndpoints, type Endpoints } from "../support/stack.ts";
import { createTopicsAndWait, kafkaClient } from "../support/kafka.ts";
import { uniqueName } from "../support/names.ts";
import { waitFor } from "../support/wait.ts";
import { dynamoClient } from "../support/dynamo.ts";
import { caughtUp, groupProgress } from "../support/kafka-progress.ts";
import { spawnSink, waitConsuming, type SinkProcess } from "../support/sink-process.ts";
import { CommitAuditor, itemKeyOf } from "./auditor.ts";
import { readLedger, storedVersion, type Ledger } from "./ledger.ts";
import { readStream, streamCounts } from "../support/stream-evidence.ts";
import { stallReport } from "./stall-report.ts";

export type Size = "ci" | "nightly";
export type Counts = {
  consumed: number;
  applied: number;
  duplicate: number;
  stale: number;
  skipped: number;
  dead_lettered: number;
  released: number;
  retries: number;
};
export type Consumer = {
  proc: SinkProcess;
  name: string;
  stopped?: { code: number | null; signal: string | null };
  summary?: Counts;
};

export class Harness {
  readonly name: string;
  readonly size: Size;
  readonly endpoints: Endpoints;
  readonly stackDir: string;
  readonly topic = uniqueName("fault");
  readonly table = uniqueName("fault");
  readonly dlq = uniqueName("fault_dlq");
  readonly group = uniqueName("fault_g");
  readonly sourceTable = "customers";
  readonly consumers: Consumer[] = [];
  readonly admin: Admin;
  readonly producer: Producer;
  readonly dynamo: DynamoDBClient;
  ledger: Ledger | undefined;
  /** Set by scenarios that drop DynamoDB's replies: a write can happen without the sink knowing. */
  ambiguousWrites = false;
  auditor: CommitAuditor | undefined;
  readonly #ownStack: boolean;
  #dynamoEndpoint: string;

  private constructor(name: string, size: Size, endpoints: Endpoints, stackDir: string, ownStack: boolean) {
    this.name = name;
    this.size = size;
    this.endpoints = endpoints;
    this.stackDir = stackDir;
    this.#ownStack = ownStack;
    this.#dynamoEndpoint = endpoints.dynamodbEndpoint;
    const kafka = kafkaClient(endpoints.kafkaBrokers, `fault-${name}`);
    this.admin = kafka.admin();
    // Not idempotent: kafkajs 2.2.4's idempotent producer failed a fill on Kafka 4.4 with
    // OUT_OF_ORDER_SEQUENCE_NUMBER even with one request in flight (fault scenario 14 in the kafkajs
    // cell of `npm run test:clients`, 1.6 s into the scenario: its sendMessages rolls back every
    // partition's sequence when a request fails, also for partitions the broker appended). One request
    // in flight keeps the order; a retry may append a batch twice, which fill() reads back as the
    // truth (the ledger is what the topic holds) and the sink must treat as any replay.
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: false,
      maxInFlightRequests: 1,
    });
    this.dynamo = dynamoClient(endpoints.dynamodbEndpoint);
  }

  /** A private stack when the scenario stops parts of it; the shared test stack otherwise. */
  static async create(
    name: string,
    size: Size,
    opts: {
      privateStack?: boolean;
      dynamodbPersistent?: boolean;
      listeners?: { kafkaSaslSsl?: boolean; kafkaProxied?: boolean };
    } = {},
  ): Promise<Harness> {
    let h: Harness;
    if (opts.privateStack === true) {
      const dir = mkdtempSync(join(tmpdir(), `cdc-fault-${name}-`));
      const endpoints = await startStack({
        dir,
        dynamodbPersistent: opts.dynamodbPersistent === true,
        ...opts.listeners,
        log: () => undefined,
      });
      h = new Harness(name, size, endpoints, dir, true);
    } else {
      h = new Harness(name, size, stackEndpoints(), process.env["CDC_SINK_STACK_DIR"]!, false);
    }
    await h.admin.connect();
    await h.producer.connect();
    return h;
  }

  /** Points consumers at another DynamoDB endpoint (a fault proxy). */
  set dynamoEndpoint(endpoint: string) {
    this.#dynamoEndpoint = endpoint;
  }

  async prepare(partitions: number, withDlq = true): Promise<void> {
    await createTopicsAndWait(this.admin, [
      { topic: this.topic, numPartitions: partitions },
      ...(withDlq ? [{ topic: this.dlq, numPartitions: 1 }] : []),
    ]);
    await this.dynamo.send(
      new CreateTableCommand({
        TableName: this.table,
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
      }),
    );
  }

  /** Produces the messages, then reads them back into the ledger (real partitions and offsets). */
  async fill(messages: readonly { key: Buffer | null; value: Buffer | null }[]): Promise<Ledger> {
    for (let i = 0; i < messages.length; i += 500)
      await this.producer.send({
        topic: this.topic,
        acks: -1,
        messages: messages.slice(i, i + 500).map((m) => ({ key: m.key, value: m.value })),
      });
    // The truth is what the topic holds: a producer retry on a loaded machine can append a record
    // twice, and the sink must cope with that like any replay.
    const held = (await this.admin.fetchTopicOffsets(this.topic)).reduce((n, p) => n + Number(p.high), 0);
    if (held < messages.length)
      throw new Error(`${this.name}: the topic holds ${held} records, ${messages.length} were produced`);
    this.ledger = await readLedger(this.endpoints.kafkaBrokers, this.topic, held);
    this.auditor = new CommitAuditor(this.admin, this.dynamo, {
      group: this.group,
      topic: this.topic,
      table: this.table,
      sourceTable: this.sourceTable,
      ledger: this.ledger,
    });
    this.auditor.start();
    return this.ledger;
  }

  consumer(env: Record<string, string> = {}, nodeArgs: string[] = []): Consumer {
    const proc = spawnSink(
      this.endpoints,
      {
        KAFKA_TOPICS: this.topic,
        KAFKA_GROUP_ID: this.group,
        DYNAMODB_TABLE: this.table,
        DLQ_TOPIC: this.dlq,
        DYNAMODB_ENDPOINT: this.#dynamoEndpoint,
        LOG_LEVEL: "info",
        ...env,
      },
      ["run"],
      nodeArgs,
    );
    const c: Consumer = { proc, name: `c${this.consumers.length + 1}` };
    void proc.exited.then((r) => {
      c.stopped = r;
      c.summary = parseSummary(proc.output());
    });
    this.consumers.push(c);
    return c;
  }

  async stop(
    c: Consumer,
    signal: NodeJS.Signals = "SIGTERM",
  ): Promise<{ code: number | null; signal: string | null }> {
    c.proc.child.kill(signal);
    return c.proc.exited;
  }

  /** Waits written for the CI size; the nightly run has about ten times the data. */
  scaled(ms: number): number {
    return this.size === "nightly" ? ms * 6 : ms;
  }

  async waitCaughtUp(timeoutMs: number): Promise<void> {
    timeoutMs = this.scaled(timeoutMs);
    try {
      await waitFor(() => caughtUp(this.endpoints.kafkaBrokers, this.group, this.topic), {
        timeoutMs,
        intervalMs: 250,
        message:
          `${this.name}: the group did not catch ` +
          `up\n${this.consumers.map((c) => `--- ${c.name}\n${c.proc.output().slice(-3000)}`).join("\n")}`,
      });
    } catch (err) {
      // Asked while the members still run: the state of the stall itself.
      const report = await stallReport(this.endpoints.kafkaBrokers, this.group, this.topic, this.consumers);
      if (err instanceof Error) err.message += `\n--- stall report\n${report}`;
      throw err;
    }
  }

  /** Milliseconds until every partition has either caught up or committed past where it stood now. */
  async recoveryMs(timeoutMs: number, opts: { exact?: boolean } = {}): Promise<number> {
    if (opts.exact !== true) timeoutMs = this.scaled(timeoutMs);
    const t0 = Date.now();
    // Right after a broker restart a partition can briefly have no leader (Kafka 4.4's ListOffsets
    // answers NOT_LEADER_OR_FOLLOWER while KRaft re-elects it): read the starting point again then.
    const start = await waitFor(() => groupProgress(this.endpoints.kafkaBrokers, this.group, this.topic), {
      timeoutMs: 30_000,
      intervalMs: 250,
      message: `${this.name}: the group's offsets unreadable after the fault`,
    });
    try {
      await waitFor(
        async () => {
          const now = await groupProgress(this.endpoints.kafkaBrokers, this.group, this.topic);
          return [...now.entries()].every(([p, [c, high]]) => c === high || c > (start.get(p)?.[0] ?? -1n));
        },
        { timeoutMs, intervalMs: 200, message: `${this.name}: some partition made no progress` },
      );
    } catch (err) {
      // As waitCaughtUp: the stall's state, asked while the members still run, and their last logs.
      const report = await stallReport(this.endpoints.kafkaBrokers, this.group, this.topic, this.consumers);
      if (err instanceof Error)
        err.message +=
          `\n--- start ${[...start.entries()].map(([p, [c]]) => `${p}:${c}`).join(" ")}` +
          `\n--- stall report\n${report}\n` +
          this.consumers.map((c) => `--- ${c.name}\n${c.proc.output().slice(-3000)}`).join("\n");
      throw err;
    }
    return Date.now() - t0;
  }

  running(): Consumer[] {
    return this.consumers.filter((c) => c.stopped === undefined);
  }

  /** Stops every consumer cleanly and computes the verdict. */
  async verdict(extra: {
    faults: string;
    checks?: [string, boolean][];
  }): Promise<{ line: string; ok: boolean }> {
    // A member still starting would be stopped before it could say what it did: let it join first.
    for (const c of this.running()) await waitConsuming(c.proc, 60_000).catch(() => undefined);
    for (const c of this.running()) await this.stop(c, "SIGTERM");
    await new Promise((r) => setTimeout(r, 50));
    const audit = await this.auditor!.stop();
    const items = await scanAll(this.dynamo, this.table);
    const ledger = this.ledger!;
    let lost = 0;
    let resurrection = 0;
    for (const [key, want] of ledger.expected) {
      const item = items.get(itemKeyOf(this.sourceTable, key));
      if (storedVersion(item?.["_cdc_version"]?.S) !== want.version) lost++;
      else if (want.op === "d" && item?.["_cdc_deleted"]?.BOOL !== true) resurrection++;
    }
    const stream = streamCounts(
      await readStream(
        this.dynamo,
        new DynamoDBStreamsClient({
          endpoint: this.endpoints.dynamodbEndpoint,
          region: "us-east-1",
          credentials: { accessKeyId: "local", secretAccessKey: "local" },
        }),
        this.table,
      ),
    );
    const clean = this.consumers.filter((c) => c.stopped?.code === 0 && c.summary !== undefined);
    const broken = clean.filter(
      (c) =>
        c.summary!.consumed !==
        c.summary!.applied +
          c.summary!.duplicate +
          c.summary!.stale +
          c.summary!.skipped +
          c.summary!.dead_lettered +
          c.summary!.released,
    );
    const sum = (k: keyof Counts) => clean.reduce((n, c) => n + c.summary![k], 0);
    const allClean = clean.length === this.consumers.length;
    const conservation =
      broken.length > 0
        ? `BROKEN(${broken.map((c) => c.name).join(",")})`
        : `exact(consumed=${sum("consumed")}=applied ${sum("applied")}+duplicate ${sum("duplicate")}+stale ` +
          `${sum("stale")}+skipped ${sum("skipped")}+dead_lettered ${sum("dead_lettered")}+released ` +
          `${sum("released")})`;
    const checks: [string, boolean][] = [
      ["lost=0", lost === 0],
      ["regression=0", stream.regression === 0],
      ["duplicate_effect=0", stream.duplicateEffect === 0],
      ["resurrection=0", resurrection === 0],
      ["commit_before_durable=0", audit.violations.length === 0],
      ["conservation exact in every cleanly stopped consumer", broken.length === 0 && clean.length > 0],
      // Every write that passed its condition is one stream record, so the sinks' applied counts must
      // add up to the stream — unless replies were lost on purpose: such a write happened, and the
      // sink, retrying, rightly saw `duplicate`.
      ...(allClean && !this.ambiguousWrites
        ? ([["applied (sink's count) = writes in the table's stream", sum("applied") === stream.writes]] as [
            string,
            boolean,
          ][])
        : []),
      ...(extra.checks ?? []),
    ];
    const failed = checks.filter(([, ok]) => !ok).map(([name]) => name);
    const line =
      `scenario ${this.name}: records=${ledger.entries.length} faults="${extra.faults}" ` +
      `lost=${lost} regression=${stream.regression} duplicate_effect=${stream.duplicateEffect} ` +
      `resurrection=${resurrection} commit_before_durable=${audit.violations.length} ` +
      `conservation=${conservation} writes=${stream.writes} commits_audited=${audit.commitsSeen}` +
      (failed.length > 0 ? ` FAILED: ${failed.join("; ")}` : "");
    if (audit.violations.length > 0) process.stderr.write(`${audit.violations.slice(0, 5).join("\n")}\n`);
    if (failed.length > 0) {
      for (const c of this.consumers)
        process.stderr.write(
          `--- ${c.name} (exit ${c.stopped?.code} ` +
            `${c.stopped?.signal ?? ""})\n${c.proc.output().slice(-4000)}\n`,
        );
    }
    return { line, ok: failed.length === 0 };
  }

  async close(): Promise<void> {
    for (const c of this.running()) c.proc.child.kill("SIGKILL");
    await this.auditor?.stop().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
    this.dynamo.destroy();
    if (this.#ownStack) {
      await stopStack(this.stackDir).catch(() => undefined);
      rmSync(this.stackDir, { recursive: true, force: true });
    }
  }
}

export function parseSummary(output: string): Counts | undefined {
  for (const line of output.split("\n").reverse()) {
    if (!line.includes('"counts"')) continue;
    try {
      return (JSON.parse(line) as { counts: Counts }).counts;
    } catch {
      continue;
    }
  }
  return undefined;
}

async function scanAll(
  client: DynamoDBClient,
  table: string,
): Promise<Map<string, Record<string, AttributeValue>>> {
  const items = new Map<string, Record<string, AttributeValue>>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) items.set(item["pk"]!.S!, item);
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}
