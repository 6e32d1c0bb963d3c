// The service's configuration contract: every environment variable it reads, in one table.
// The README's configuration table, the Helm chart test and the config parser all read this list,
// so a variable cannot be documented in one place and forgotten in another.

export type EnvVar = {
  readonly name: string;
  readonly description: string;
  /** Default applied when the variable is unset or empty; absent means no default. */
  readonly default?: string;
  /** True when the service refuses to start without it (cross-field rules are in the schema). */
  readonly required?: boolean;
  /** Never logged, never put on a span; the chart takes it from a Secret. */
  readonly secret?: boolean;
  /** Group heading for the README table. */
  readonly group: "kafka" | "security" | "dynamodb" | "records" | "processing" | "service";
};

export const ENV_SPEC = [
  {
    group: "kafka",
    name: "KAFKA_BROKERS",
    required: true,
    description: "Comma-separated bootstrap brokers, `host:port`.",
  },
  { group: "kafka", name: "KAFKA_CLIENT_ID", default: "cdc-dynamodb-sink", description: "Kafka client id." },
  {
    group: "kafka",
    name: "KAFKA_GROUP_ID",
    required: true,
    description: "Consumer group id; one group per sink deployment.",
  },
  {
    group: "kafka",
    name: "KAFKA_TOPICS",
    description:
      "Comma-separated topics to consume. At least one of `KAFKA_TOPICS` and `KAFKA_TOPIC_PATTERN` is required.",
  },
  {
    group: "kafka",
    name: "KAFKA_TOPIC_PATTERN",
    description:
      "Regular expression of topics to consume; topics created later that match are picked up within `KAFKA_METADATA_MAX_AGE_MS` (one rebalance).",
  },
  {
    group: "kafka",
    name: "KAFKA_FROM_BEGINNING",
    default: "true",
    description:
      "Where a group with no committed offset starts: `true` = earliest (keeps the snapshot), `false` = latest.",
  },
  {
    group: "kafka",
    name: "KAFKA_SESSION_TIMEOUT_MS",
    default: "30000",
    description: "Group session timeout.",
  },
  {
    group: "kafka",
    name: "KAFKA_HEARTBEAT_INTERVAL_MS",
    default: "3000",
    description: "Group heartbeat interval.",
  },
  {
    group: "kafka",
    name: "KAFKA_METADATA_MAX_AGE_MS",
    default: "30000",
    description: "How often topic metadata (and so a topic pattern) is refreshed.",
  },
  {
    group: "kafka",
    name: "KAFKA_COMMIT_INTERVAL_MS",
    default: "200",
    description:
      "How often durable progress is committed (each commit covers only records with a final outcome; the p99 lag from a durable write to its commit is about this plus one commit round trip).",
  },
  {
    group: "kafka",
    name: "KAFKA_FETCH_MAX_BYTES",
    default: "2097152",
    description:
      "Most bytes one fetch may return (each partition at most 1 MiB of it; a single larger record still comes through). Fetched records are in hand before `MAX_BUFFERED_RECORDS` can pause their partitions, so this bounds how far a fetch overshoots that limit.",
  },
  {
    group: "kafka",
    name: "DLQ_TOPIC",
    description:
      "Dead-letter topic for poison records. Unset: a poison record stops the service (exit 4) and nothing past it is committed.",
  },
  { group: "security", name: "KAFKA_SSL", default: "false", description: "`true` to connect with TLS." },
  {
    group: "security",
    name: "KAFKA_SSL_CA_FILE",
    description: "PEM file of the CA(s) that signed the brokers' certificates (default: the system's CAs).",
  },
  { group: "security", name: "KAFKA_SSL_CERT_FILE", description: "PEM client certificate for mutual TLS." },
  { group: "security", name: "KAFKA_SSL_KEY_FILE", description: "PEM client key for mutual TLS." },
  {
    group: "security",
    name: "KAFKA_SASL_MECHANISM",
    description:
      "`scram-sha-256`, `scram-sha-512`, `plain` or `aws-msk-iam` (Amazon MSK IAM access control: SASL/OAUTHBEARER with a token signed by the AWS default credential chain, IRSA included, for `AWS_REGION`; needs `KAFKA_SSL=true` and no user name or password). Unset: no SASL.",
  },
  { group: "security", name: "KAFKA_SASL_USERNAME", description: "SASL user name (not with `aws-msk-iam`)." },
  {
    group: "security",
    name: "KAFKA_SASL_PASSWORD",
    secret: true,
    description: "SASL password (or use `KAFKA_SASL_PASSWORD_FILE`).",
  },
  {
    group: "security",
    name: "KAFKA_SASL_PASSWORD_FILE",
    description: "File holding the SASL password (a mounted Secret).",
  },
  {
    group: "dynamodb",
    name: "DYNAMODB_TABLE",
    required: true,
    description:
      "Target table. Its partition key must be a string attribute named `DYNAMODB_KEY_ATTRIBUTE`, with no sort key.",
  },
  {
    group: "dynamodb",
    name: "DYNAMODB_KEY_ATTRIBUTE",
    default: "pk",
    description: "Name of the table's partition key attribute.",
  },
  { group: "dynamodb", name: "AWS_REGION", required: true, description: "AWS region of the table." },
  {
    group: "dynamodb",
    name: "DYNAMODB_ENDPOINT",
    description: "Endpoint override, e.g. DynamoDB Local `http://127.0.0.1:8000`.",
  },
  {
    group: "dynamodb",
    name: "DYNAMODB_REQUEST_TIMEOUT_MS",
    default: "5000",
    description:
      "Connection timeout, and the time after which the AWS SDK warns about a slow request (the SDK does not cut it; a write that never answers is caught by the stuck watchdog, `STUCK_TIMEOUT_MS`).",
  },
  {
    group: "dynamodb",
    name: "WRITE_MODE",
    default: "put",
    description:
      "Write shape: `put` (one conditional PutItem per record, 1 WCU per ≤ 1 KB item), `transact` (concurrent writes sent together as TransactWriteItems of up to `WRITE_BATCH_ITEMS` conditional puts; same outcomes, 2 WCU per item on AWS, less client CPU per record) or `auto` (`put` when `DYNAMODB_ENDPOINT` is unset or names an AWS host under `amazonaws.com`, `amazonaws.com.cn` or `api.aws`; `transact` for any other endpoint: a DynamoDB-compatible server such as dynoxide or DynamoDB Local, which must support TransactWriteItems). Measured on DynamoDB Local and dynoxide, `transact` costs the sink about a quarter of the client CPU per record of `put`, and is ahead in throughput only when CPU is the limit (see Performance).",
  },
  {
    group: "dynamodb",
    name: "WRITE_BATCH_ITEMS",
    default: "50",
    description:
      "Most conditional puts in one TransactWriteItems (1–100) when the write shape is `transact`.",
  },
  {
    group: "records",
    name: "VERSION_SOURCE",
    default: "auto",
    description:
      "`auto` (PostgreSQL LSN / MySQL binlog position from the envelope's `source`), `column` (see `VERSION_COLUMN`) or `kafka-offset` (explicit opt-in; breaks on repartition and redrive).",
  },
  {
    group: "records",
    name: "VERSION_COLUMN",
    description: "Row column holding a growing version (integer, or timestamp) when `VERSION_SOURCE=column`.",
  },
  {
    group: "records",
    name: "VERSION_EPOCH",
    default: "0",
    description:
      "Operator-set epoch prefixed to every version (0–9999). Raise it after restoring a database whose log positions restart (see Operations).",
  },
  {
    group: "records",
    name: "SOURCE_NAME",
    description:
      "Overrides the source name of every record (default: `connector.db.schema.table` from the envelope, else the topic).",
  },
  {
    group: "records",
    name: "TOMBSTONE_TTL_SECONDS",
    default: "0",
    description:
      "When > 0, delete tombstones get a TTL attribute this many seconds ahead. Must outlive Kafka retention plus the longest lag.",
  },
  {
    group: "records",
    name: "TTL_ATTRIBUTE",
    default: "_cdc_expires_at",
    description: "Name of the TTL attribute written on tombstones (enable TTL on it in the table).",
  },
  {
    group: "records",
    name: "ITEM_COMPRESSION",
    default: "none",
    description:
      "`gzip`: rows whose item would exceed 400 KB are stored gzip-compressed in one binary attribute; `none`: such rows are dead-lettered.",
  },
  {
    group: "records",
    name: "ROUTES_FILE",
    description:
      "Optional JSON file of per-topic routes (table, source name, version source and column, TTL).",
  },
  {
    group: "processing",
    name: "MAX_IN_FLIGHT",
    default: "128",
    description:
      "Upper bound of records being written at once: concurrent PutItems, or items in TransactWriteItems with the `transact` write shape (adaptive: halves on throttling, grows back on success). Also the HTTP socket pool's size.",
  },
  {
    group: "processing",
    name: "MAX_BUFFERED_RECORDS",
    default: "5000",
    description:
      "Records in hand across partitions before fetching pauses; a fetch in flight can add up to `KAFKA_FETCH_MAX_BYTES` more. Bounds memory: about 5 KB of heap per ~1 KB record in hand.",
  },
  {
    group: "processing",
    name: "RETRY_BASE_MS",
    default: "100",
    description: "First retry delay of a transient error.",
  },
  {
    group: "processing",
    name: "RETRY_MAX_MS",
    default: "10000",
    description:
      "Cap of the retry delay (exponential backoff with full jitter; transient errors are retried forever).",
  },
  {
    group: "processing",
    name: "STUCK_TIMEOUT_MS",
    default: "120000",
    description:
      "No durable progress for this long while records wait → unready, then exit 5 so the orchestrator restarts the pod.",
  },
  {
    group: "service",
    name: "SHUTDOWN_DEADLINE_MS",
    default: "20000",
    description: "On SIGTERM, how long in-flight writes may take before the final commit and exit.",
  },
  {
    group: "service",
    name: "HEALTH_PORT",
    default: "8080",
    description: "Port of `/livez`, `/readyz` and `/metrics` (0 = a free port, logged).",
  },
  {
    group: "service",
    name: "HEALTH_HOST",
    default: "0.0.0.0",
    description: "Address the health server binds.",
  },
  {
    group: "service",
    name: "LOG_LEVEL",
    default: "info",
    description: "`fatal`, `error`, `warn`, `info`, `debug` or `trace`.",
  },
  {
    group: "service",
    name: "OTEL_CDC_KEY_MODE",
    default: "hash",
    description:
      "How the Kafka message key appears on spans (`messaging.kafka.message.key`): `hash` (first 16 hex of its SHA-256), `raw` (the key text; keys are row ids, may be personal data) or `none`. The standard `OTEL_*` variables configure the rest of OpenTelemetry (see Telemetry).",
  },
] as const satisfies readonly EnvVar[];

export type EnvName = (typeof ENV_SPEC)[number]["name"];
