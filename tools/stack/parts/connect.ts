import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { StackError } from "../errors.ts";
import { logFile, partDir, type StackState } from "../state.ts";
import { javaArgs, writeProperties, type Part } from "./part.ts";

export const DEBEZIUM_POSTGRES = "io.debezium.connector.postgresql.PostgresConnector";
export const DEBEZIUM_MYSQL = "io.debezium.connector.mysql.MySqlConnector";
/** Line 4 reads MariaDB with this one (tools/stack/pom.xml's mariadb profile says why). */
export const DEBEZIUM_MARIADB = "io.debezium.connector.mariadb.MariaDbConnector";
/** Apicurio's Avro converter (the Confluent wire format with as-confluent: docs/formats/avro.md). */
export const APICURIO_AVRO_CONVERTER = "io.apicurio.registry.utils.converter.AvroConverter";

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.json();
}

/**
 * A one-worker Kafka Connect cluster in distributed mode (so connectors are managed through REST,
 * as in production), with Debezium's PostgreSQL and MySQL connectors (and on Kafka line 4 its MariaDB
 * connector) and Apicurio's Avro converter in its plugin path.
 */
export const connectPart: Part = {
  name: "connect",
  stopSignal: "SIGTERM",
  readyTimeoutMs: 180_000,

  async prepare(state) {
    const home = partDir(state.dir, "connect");
    mkdirSync(home, { recursive: true });
    if (state.jars.debezium === undefined) throw new StackError("debezium jars not fetched");
    writeProperties(join(home, "connect.properties"), {
      "bootstrap.servers": `127.0.0.1:${state.ports.kafka}`,
      "group.id": "cdc-sink-connect",
      listeners: `http://127.0.0.1:${state.ports.connect}`,
      "rest.advertised.host.name": "127.0.0.1",
      "rest.advertised.port": state.ports.connect ?? 0,
      "key.converter": "org.apache.kafka.connect.json.JsonConverter",
      "value.converter": "org.apache.kafka.connect.json.JsonConverter",
      "config.storage.topic": "_connect-configs",
      "offset.storage.topic": "_connect-offsets",
      "status.storage.topic": "_connect-status",
      // One broker: replication factor 1; few partitions make the worker's first start quicker.
      "config.storage.replication.factor": 1,
      "offset.storage.replication.factor": 1,
      "offset.storage.partitions": 1,
      "status.storage.replication.factor": 1,
      "status.storage.partitions": 1,
      // Source offsets flushed often, so a restarted connector resumes close to where it was.
      "offset.flush.interval.ms": 1_000,
      // With one worker, a worker that comes back must get its connectors at once, not after the
      // default 5 minutes that incremental cooperative rebalancing waits for a departed member.
      "scheduled.rebalance.max.delay.ms": 0,
      // The broker does not auto-create topics; connectors ask for theirs via topic.creation.*.
      "topic.creation.enable": true,
      // Scan the plugin folder as Kafka always did; Debezium does not ship every ServiceLoader manifest.
      "plugin.discovery": "only_scan",
      "plugin.path": state.jars.debezium,
    });
    return Promise.resolve();
  },

  command(state) {
    const home = partDir(state.dir, "connect");
    if (state.jars.connect === undefined) throw new StackError("connect jars not fetched");
    return {
      cmd: "java",
      args: [
        ...javaArgs(state.dir, "connect", "768m"),
        "-cp",
        join(state.jars.connect, "*"),
        "org.apache.kafka.connect.cli.ConnectDistributed",
        join(home, "connect.properties"),
      ],
      cwd: home,
      logFile: logFile(state.dir, "connect"),
    };
  },

  async probe(state: StackState) {
    const url = `http://127.0.0.1:${state.ports.connect}`;
    await getJson(`${url}/`);
    // connectorsOnly=false lists converters too (KIP-769): the Avro converter's folder loaded.
    const plugins = (await getJson(`${url}/connector-plugins?connectorsOnly=false`)) as { class: string }[];
    const mariadb = (state.kafkaLine ?? "3.9") === "4" ? [DEBEZIUM_MARIADB] : [];
    for (const wanted of [DEBEZIUM_POSTGRES, DEBEZIUM_MYSQL, ...mariadb, APICURIO_AVRO_CONVERTER])
      if (!plugins.some((p) => p.class === wanted)) throw new Error(`${wanted} not loaded`);
    // Answered by the herder only once this worker has joined its group and read the config topic.
    await getJson(`${url}/connectors`);
  },
};
