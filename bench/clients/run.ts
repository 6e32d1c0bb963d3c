// npm run bench -- --clients [--short] [--repeat N]
// The two Kafka clients side by side in one run, on one Kafka 4 stack (KIP-848 needs Kafka 4):
// kafkajs, confluent with the classic group protocol, confluent with KIP-848. Per cell: the
// consume-only arm (the product's Kafka port, no sink), B-ours (`cdc-sink run`), and a second
// member joining and leaving. Cells are interleaved within each repeat so that drift from other
// work on the machine spreads over all of them. Table on stdout (with --json, the JSON instead), JSON
// in bench/results/.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stackStatus, startStack, stopStack, type Endpoints } from "../../tools/stack/index.ts";
import { parseKafkaLine } from "../../tools/stack/fetch.ts";
import { ensureConfluentClient } from "../../tools/kafka-client/confluent.ts";
import { cacheDir } from "../../tools/stack/fetch.ts";
import { createTopic, kafkaClient } from "../../test/support/kafka.ts";
import { uniqueName } from "../../test/support/names.ts";
import { killChildren } from "../children.ts";
import { changeStream, produceStream } from "../workload.ts";
import { CELLS, PARTITIONS, consumeCell, groupCell, oursCell, type Say } from "./cells.ts";
import { clientsTable, type CellRuns } from "./report.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export type ClientsOptions = { short: boolean; repeat: number; json: boolean };

export async function runClients(o: ClientsOptions, say: Say): Promise<number> {
  const sizes = o.short
    ? {
        records: 100_000,
        keys: 12_500,
        warmup: 3,
        window: 15,
        latencyRate: 400,
        latencySeconds: 10,
        groupRate: 1000,
      }
    : {
        records: 200_000,
        keys: 20_000,
        warmup: 5,
        window: 30,
        latencyRate: 400,
        latencySeconds: 20,
        groupRate: 1000,
      };
  say(
    `confluent client: ${await ensureConfluentClient(join(cacheDir(), "logs", "kafka-javascript-build.log"), say)}`,
  );
  const line = parseKafkaLine("4");
  const named = process.env["CDC_SINK_STACK_DIR"];
  const reuse = named !== undefined && (await stackStatus(named)).up;
  const dir = reuse ? named : mkdtempSync(join(tmpdir(), "cdc-bench-clients-"));
  say(`${reuse ? "reusing" : "starting"} a Kafka ${line} stack in ${dir}`);
  // startStack refuses a running stack of another line, with the command that stops it.
  const endpoints: Endpoints = await startStack({ dir, kafka: line, log: (l) => say(`stack: ${l}`) });
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => {
      killChildren();
      void (
        reuse ? Promise.resolve() : stopStack(dir).then(() => rmSync(dir, { recursive: true, force: true }))
      ).finally(() => process.exit(130));
    });
  try {
    const brokers = endpoints.kafkaBrokers;
    const topic = uniqueName("clients-many");
    await createTopic(brokers, topic, PARTITIONS);
    // Not idempotent: a duplicate from a retry only adds records, and the consume-only arm counts
    // to the total produced (produceStream's note says why kafkajs's idempotent producer is fragile).
    const producer = kafkaClient(brokers, "bench-clients-producer").producer({
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    const count = await produceStream(
      producer,
      topic,
      changeStream({ records: sizes.records, keys: sizes.keys, replayRate: 0.04, deleteRate: 0.01, seed: 7 }),
    );
    await producer.disconnect();
    say(`produced ${count} records to ${topic}`);
    const many = { topic, count };
    const runs: CellRuns[] = CELLS.map((cell) => ({ cell, consume: [], ours: [], group: [] }));
    const env = {
      cpu: `${cpus()[0]?.model ?? "unknown"} × ${cpus().length}`,
      node: process.version,
      kafkaLine: line,
      mode: o.short ? "short" : "full",
      repeat: o.repeat,
      loadAverageAtStart: loadavg()
        .map((v) => v.toFixed(1))
        .join(" "),
      started: new Date().toISOString(),
    };
    mkdirSync(join(ROOT, "bench/results"), { recursive: true });
    const file = join(
      ROOT,
      "bench/results",
      `clients-${new Date().toISOString().replace(/[:.]/g, "-")}.json`,
    );
    // A failed measurement is logged and left out (the table shows n/a), so one cell's failure does
    // not cost the others on a shared machine where a run waits long for its slot.
    let failures = 0;
    const attempt = async <T>(label: string, list: T[], measure: () => Promise<T>): Promise<void> => {
      say(label);
      try {
        list.push(await measure());
        say(`  ${JSON.stringify(list.at(-1))}`);
      } catch (err) {
        failures++;
        say(`  FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    };
    /** Writes the JSON file; returns its document and the table. */
    const write = (): { result: object; text: string } => {
      const loadAverageAtEnd = loadavg()
        .map((v) => v.toFixed(1))
        .join(" ");
      const result = { env: { ...env, loadAverageAtEnd }, sizes, runs };
      writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
      const text = `${clientsTable(runs)}\n\n${Object.entries({ ...env, loadAverageAtEnd })
        .map(([k, v]) => `${k}: ${v}`)
        .join("\n")}\nfailed measurements: ${failures}\n`;
      return { result, text };
    };
    for (let i = 1; i <= o.repeat; i++) {
      for (const r of runs)
        await attempt(`repeat ${i}/${o.repeat}, ${r.cell.name}: consume only`, r.consume, () =>
          consumeCell(r.cell, brokers, many),
        );
      for (const r of runs)
        await attempt(`repeat ${i}/${o.repeat}, ${r.cell.name}: B-ours`, r.ours, () =>
          oursCell(r.cell, endpoints, many, sizes, say),
        );
      for (const r of runs)
        await attempt(
          `repeat ${i}/${o.repeat}, ${r.cell.name}: a second member joins and leaves`,
          r.group,
          () => groupCell(r.cell, brokers, sizes.groupRate, say),
        );
      say(`after repeat ${i}:\n${write().text}`);
    }
    const { result, text } = write();
    process.stdout.write(o.json ? `${JSON.stringify(result, null, 2)}\n` : `\n${text}`);
    say(`written ${file}`);
    return failures === 0 ? 0 : 1;
  } finally {
    if (!reuse) {
      say(`stopping the stack in ${dir}`);
      await stopStack(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
