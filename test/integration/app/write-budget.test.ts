// The write budget through `cdc-sink run` on the real broker and store (issue 21): with
// MAX_WRITE_UNITS_PER_SECOND=B, a first run (every write applied) and a replay by a new group (every
// write refused as a duplicate, which DynamoDB charges all the same) each consume at most B + 10 %
// write units in every second. Measured outside the sink, at a proxy in front of the store: an
// applied put's units are the store's own ConsumedCapacity in the reply; a refused one's reply has
// none, so its units are counted from the request, 1 per started KB of the item's JSON (never less
// than DynamoDB's size of it).

import assert from "node:assert/strict";
import { test } from "node:test";
import { createTopic } from "../../support/kafka.ts";
import { uniqueName } from "../../support/names.ts";
import { waitFor } from "../../support/wait.ts";
import { createTable } from "../../support/dynamo.ts";
import { caughtUp } from "../../support/kafka-progress.ts";
import { spawnSink } from "../../support/sink-process.ts";
import { pgKey, pgValue } from "../../support/debezium-records.ts";
import { startFaultProxy, type Exchange } from "../../support/dynamo-fault-proxy.ts";
import { sinkSuite } from "../../support/sink-suite.ts";

const BUDGET = 80;
const RECORDS = 360;

const suite = sinkSuite();

/** Units of one PutItem as the proxy saw it: the store's figure, else from the request's item. */
function units(x: Exchange): number {
  const reply = JSON.parse(x.reply || "{}") as { ConsumedCapacity?: { CapacityUnits?: number } };
  const reported = reply.ConsumedCapacity?.CapacityUnits;
  if (reported !== undefined) return reported;
  const item = (JSON.parse(x.request) as { Item?: unknown }).Item;
  return Math.max(1, Math.ceil(Buffer.byteLength(JSON.stringify(item)) / 1024));
}

/** Units per whole second from the first write on, and where they came from. */
function perSecond(puts: readonly Exchange[]): { seconds: number[]; reported: number; counted: number } {
  // Replies come back out of order: the windows start at the earliest request.
  const t0 = Math.min(...puts.map((x) => x.at));
  const seconds: number[] = [];
  let reported = 0;
  let counted = 0;
  for (const x of puts) {
    const s = Math.floor((x.at - t0) / 1000);
    seconds[s] = (seconds[s] ?? 0) + units(x);
    if (x.reply.includes("ConsumedCapacity")) reported++;
    else counted++;
  }
  return { seconds: Array.from(seconds, (n) => n ?? 0), reported, counted };
}

async function metric(output: string, outcome: string): Promise<number> {
  const port = /"port":(\d+)[^\n]*"msg":"health server listening"/.exec(output)?.[1];
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const re = new RegExp(
    `cdc_sink_consumed_write_units_total\\{[^}]*cdc_outcome="${outcome}"[^}]*\\} ([0-9.]+)`,
  );
  return Number(re.exec(text)?.[1] ?? "NaN");
}

test(`a budget of ${BUDGET} units/s holds for a first run (applied) and a replay (refused duplicates)`, async () => {
  const topic = uniqueName("budget");
  const table = uniqueName("budget");
  await createTopic(suite.endpoints.kafkaBrokers, topic, 3);
  await createTable(suite.endpoints.dynamodbEndpoint, table);
  const messages = Array.from({ length: RECORDS }, (_, i) => ({
    key: pgKey(i + 1),
    value: pgValue({ op: "c", id: i + 1, lsn: 1000 + i, row: { name: `n${i + 1}`, note: "x".repeat(200) } }),
  }));
  await suite.producer.send({ topic, acks: -1, messages });
  let puts: Exchange[] = [];
  const proxy = await startFaultProxy(
    suite.endpoints.dynamodbEndpoint,
    () => undefined,
    (x) => {
      if (x.operation === "PutItem") puts.push(x);
    },
  );
  try {
    for (const run of ["first run", "replay"] as const) {
      puts = [];
      const group = uniqueName("g");
      const t0 = Date.now();
      const sink = spawnSink(suite.endpoints, {
        KAFKA_TOPICS: topic,
        KAFKA_GROUP_ID: group,
        KAFKA_FROM_BEGINNING: "true",
        DYNAMODB_TABLE: table,
        DYNAMODB_ENDPOINT: proxy.endpoint,
        WRITE_MODE: "put",
        MAX_WRITE_UNITS_PER_SECOND: String(BUDGET),
      });
      suite.sinks.push(sink);
      await waitFor(() => caughtUp(suite.endpoints.kafkaBrokers, group, topic), {
        timeoutMs: 120_000,
        intervalMs: 250,
        message: `${run}: not caught up:\n${sink.output().slice(-3000)}`,
      });
      const outcome = run === "first run" ? "applied" : "duplicate";
      const metered = await metric(sink.output(), outcome);
      sink.child.kill("SIGTERM");
      assert.equal((await sink.exited).code, 0, sink.output().slice(-3000));
      assert.equal(puts.length, RECORDS, `${run}: one PutItem per record`);
      const { seconds, reported, counted } = perSecond(puts);
      const total = seconds.reduce((a, b) => a + b, 0);
      const times = puts.map((x) => x.at);
      const spanS = (Math.max(...times) - Math.min(...times)) / 1000;
      process.stderr.write(
        `budget ${BUDGET}/s, ${run}: ${total} units in ${spanS.toFixed(2)} s (${(total / spanS).toFixed(1)}/s; ` +
          `${reported} from the store's ConsumedCapacity, ${counted} counted at the proxy); per second: ` +
          `${seconds.join(" ")}; consumed_write_units{${outcome}}=${metered}; run ${Date.now() - t0} ms\n`,
      );
      for (const [s, n] of seconds.entries())
        assert.ok(n <= BUDGET * 1.1, `${run}: second ${s} consumed ${n} units, over ${BUDGET} + 10 %`);
      // The budget binds: the whole run needs at least about total / B seconds. (How close to B it
      // gets depends on the machine: on a loaded one the sink itself is slower than the budget.)
      assert.ok(spanS >= (total / BUDGET) * 0.85, `${run}: ${total} units in only ${spanS} s`);
      if (run === "first run")
        assert.equal(reported, RECORDS, "applied puts carry the store's ConsumedCapacity");
      else assert.equal(counted, RECORDS, "refused puts carry no ConsumedCapacity");
      assert.equal(
        metered,
        total,
        `${run}: consumed_write_units{cdc.outcome=${outcome}} equals the proxy's count`,
      );
    }
  } finally {
    await proxy.close();
  }
});
