import { waitFor } from "./wait.ts";
import { withPg } from "./postgres.ts";

export type DebeziumPostgresOptions = {
  /** The connector's topic prefix: its topics are <prefix>.<schema>.<table>. Make it unique. */
  topicPrefix: string;
  /** Replication slot and publication: unique per connector, or two connectors steal each other's. */
  slot: string;
  publication: string;
  /** "schema.table" entries; the publication is created for exactly these. */
  tables: string[];
  /** JsonConverter's schema/payload wrapper on values (and keys); Debezium's default is true. */
  schemas?: boolean;
  extra?: Record<string, string>;
};

/** A Debezium PostgreSQL connector config for the stack's cluster (pgoutput, JSON, topics RF 1). */
export function debeziumPostgresConfig(
  postgresUrl: string,
  options: DebeziumPostgresOptions,
): Record<string, string> {
  const url = new URL(postgresUrl);
  const schemas = String(options.schemas ?? true);
  return {
    "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
    "tasks.max": "1",
    "database.hostname": url.hostname,
    "database.port": url.port,
    "database.user": decodeURIComponent(url.username),
    "database.password": decodeURIComponent(url.password),
    "database.dbname": url.pathname.slice(1),
    "topic.prefix": options.topicPrefix,
    "plugin.name": "pgoutput",
    "slot.name": options.slot,
    "publication.name": options.publication,
    "publication.autocreate.mode": "filtered",
    "table.include.list": options.tables.join(","),
    "key.converter": "org.apache.kafka.connect.json.JsonConverter",
    "key.converter.schemas.enable": schemas,
    "value.converter": "org.apache.kafka.connect.json.JsonConverter",
    "value.converter.schemas.enable": schemas,
    // The broker does not auto-create topics: Connect creates the connector's topics itself.
    "topic.creation.default.replication.factor": "1",
    "topic.creation.default.partitions": "1",
    ...options.extra,
  };
}

async function rest(connectUrl: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${connectUrl}${path}`, {
    method,
    headers: { "content-type": "application/json", accept: "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
}

/** Creates or updates a connector (PUT /connectors/<name>/config), retrying while Connect rebalances. */
export async function putConnector(
  connectUrl: string,
  name: string,
  config: Record<string, string>,
): Promise<void> {
  await waitFor(
    async () => {
      const response = await rest(
        connectUrl,
        "PUT",
        `/connectors/${encodeURIComponent(name)}/config`,
        config,
      );
      // 409: the worker group is rebalancing; the request is safe to repeat.
      if (response.status === 409) return false;
      if (!response.ok)
        throw new Error(`PUT connector ${name}: HTTP ${response.status} ${await response.text()}`);
      return true;
    },
    { timeoutMs: 60_000, intervalMs: 500, message: `Connect did not accept connector ${name}` },
  );
}

type ConnectorStatus = {
  connector: { state: string; trace?: string };
  tasks: { state: string; trace?: string }[];
};

/** Waits until the connector and all its tasks are RUNNING; fails at once on a FAILED task. */
export async function waitConnectorRunning(
  connectUrl: string,
  name: string,
  timeoutMs = 90_000,
): Promise<void> {
  const outcome = await waitFor(
    async () => {
      const response = await rest(connectUrl, "GET", `/connectors/${encodeURIComponent(name)}/status`);
      if (!response.ok) return false;
      const status = (await response.json()) as ConnectorStatus;
      const failed = [status.connector, ...status.tasks].find((t) => t.state === "FAILED");
      if (failed) return { failed: failed.trace?.split("\n")[0] ?? "no trace" };
      const running =
        status.tasks.length > 0 && [status.connector, ...status.tasks].every((t) => t.state === "RUNNING");
      return running ? { failed: undefined } : false;
    },
    { timeoutMs, intervalMs: 250, message: `connector ${name} not RUNNING` },
  );
  if (outcome.failed !== undefined) throw new Error(`connector ${name} FAILED: ${outcome.failed}`);
}

/** Waits until the connector holds its replication slot: from then on no change is missed. */
export async function waitSlotActive(postgresUrl: string, slot: string, timeoutMs = 60_000): Promise<void> {
  await withPg(postgresUrl, (client) =>
    waitFor(
      async () => {
        const found = await client.query(
          "SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active",
          [slot],
        );
        return found.rowCount === 1;
      },
      { timeoutMs, intervalMs: 200, message: `replication slot ${slot} not active` },
    ),
  );
}

export async function deleteConnector(connectUrl: string, name: string): Promise<void> {
  const response = await rest(connectUrl, "DELETE", `/connectors/${encodeURIComponent(name)}`);
  if (!response.ok && response.status !== 404) {
    throw new Error(`DELETE connector ${name}: HTTP ${response.status} ${await response.text()}`);
  }
}

/**
 * Restarts a connector and its tasks through Connect's REST API (KIP-745): the task stops, commits
 * its source offsets and starts again from them, as after a redeploy of the worker.
 */
export async function restartConnector(connectUrl: string, name: string): Promise<void> {
  const response = await rest(
    connectUrl,
    "POST",
    `/connectors/${encodeURIComponent(name)}/restart?includeTasks=true&onlyFailed=false`,
  );
  if (!response.ok)
    throw new Error(`restart connector ${name}: HTTP ${response.status} ${await response.text()}`);
  await waitConnectorRunning(connectUrl, name);
}

export type MariadbConnector = { class: string; version: string; sslDisabled: string };

/**
 * The Debezium connector that reads the stack's MariaDB: Kafka line 4 carries Debezium's MariaDB
 * connector (Debezium 3.6's MySQL connector sends MariaDB SHOW BINARY LOG STATUS, which it refuses:
 * tools/stack/pom.xml), line 3.9 the MySQL connector 3.1.3, which still reads MariaDB. Each names a
 * disabled TLS mode its own way (its JDBC driver's).
 */
export async function mariadbConnector(connectUrl: string): Promise<MariadbConnector> {
  const res = await fetch(`${connectUrl}/connector-plugins`);
  if (!res.ok) throw new Error(`GET /connector-plugins: HTTP ${res.status}`);
  const plugins = (await res.json()) as { class: string; version: string }[];
  const mariadb = plugins.find((p) => p.class === "io.debezium.connector.mariadb.MariaDbConnector");
  if (mariadb !== undefined) return { ...mariadb, sslDisabled: "disable" };
  const mysql = plugins.find((p) => p.class === "io.debezium.connector.mysql.MySqlConnector");
  if (mysql === undefined)
    throw new Error(`Connect offers no MariaDB or MySQL connector: ${JSON.stringify(plugins)}`);
  return { ...mysql, sslDisabled: "disabled" };
}
