import { fileURLToPath } from "node:url";
import type { Scenario } from "../scenario.ts";
import { standardFill } from "./common.ts";
import { spawnSink } from "../../support/sink-process.ts";

const preload = fileURLToPath(new URL("../inject/dynamo-client.ts", import.meta.url));
const kafkaPreload = fileURLToPath(new URL("../inject/kafka-errors.ts", import.meta.url));

export const processErrors: Scenario = {
  title: "process-errors",
  limitMs: { ci: 180_000, nightly: 600_000 },
  async run(h) {
    await standardFill(h, { seed: 18 });
    const checks: [string, boolean][] = [];
    // (a) A handler that throws a programming error: exit 1 fast, no unhandled rejection.
    const t0 = Date.now();
    const thrower = h.consumer({ INJECT_PK: "pg.app.public.customers:[7]", INJECT_MODE: "throw" }, [
      "--import",
      preload,
    ]);
    const a = await thrower.proc.exited;
    checks.push([
      `throwing handler: exit ${a.code} after ${Date.now() - t0} ms`,
      a.code === 1 && Date.now() - t0 < 30_000,
    ]);
    checks.push(["no unhandled rejection", !/Unhandled|unhandled/.test(thrower.proc.output())]);
    // (b) Broker down at start: a closed port. Exit 3 within seconds, naming Kafka.
    const t1 = Date.now();
    const down = spawnSink(
      { ...h.endpoints, kafkaBrokers: "127.0.0.1:1" },
      { KAFKA_TOPICS: h.topic, KAFKA_GROUP_ID: h.group, DYNAMODB_TABLE: h.table },
    );
    const b = await down.exited;
    checks.push([
      `broker down at start: exit ${b.code} after ${Date.now() - t1} ms`,
      b.code === 3 && Date.now() - t1 < 30_000 && /cannot reach Kafka/.test(down.output()),
    ]);
    // (c) A missing topic is refused before consuming.
    const missing = spawnSink(h.endpoints, {
      KAFKA_TOPICS: `${h.topic}_nope`,
      KAFKA_GROUP_ID: h.group,
      DYNAMODB_TABLE: h.table,
    });
    const c = await missing.exited;
    checks.push([`missing topic: exit ${c.code}`, c.code === 3 && /do not exist/.test(missing.output())]);
    // (d) A non-retriable Kafka error while consuming: no restart loop, exit 6 within seconds. Always
    // on kafkajs, whose fetch the preload fails: @confluentinc/kafka-javascript 1.10.1 hands no
    // consume error to its user (it logs each and retries; docs/kafka-clients.md), so with
    // KAFKA_CLIENT=confluent there is no such error to inject and the member keeps retrying.
    const t3 = Date.now();
    const fatal = spawnSink(
      h.endpoints,
      {
        KAFKA_TOPICS: h.topic,
        KAFKA_GROUP_ID: h.group,
        DYNAMODB_TABLE: h.table,
        INJECT_FETCH_FATAL_AFTER: "3",
        KAFKA_CLIENT: "kafkajs",
        KAFKA_GROUP_PROTOCOL: "classic",
      },
      ["run"],
      ["--import", kafkaPreload],
    );
    const d = await fatal.exited;
    checks.push([
      `non-retriable Kafka error: exit ${d.code} after ${Date.now() - t3} ms`,
      d.code === 6 && Date.now() - t3 < 30_000 && !/Unhandled|unhandled/.test(fatal.output()),
    ]);
    // Then a healthy member finishes the work the failed one left.
    h.consumer();
    await h.waitCaughtUp(120_000);
    return {
      faults: "a throwing handler, a broker down at start, a missing topic, a non-retriable Kafka error",
      checks,
    };
  },
};
