import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { StackError } from "./errors.ts";

export const PART_NAMES = [
  "kafka",
  "dynamodb",
  "postgres",
  "mysql",
  "connect",
  "registry",
  "jaeger",
] as const;
export type PartName = (typeof PART_NAMES)[number];
export const CDC_PARTS: readonly PartName[] = ["postgres", "connect"];
/** `--with-mysql`: MariaDB beside the CDC parts (Connect loads Debezium's MySQL connector always). */
export const MYSQL_PARTS: readonly PartName[] = ["mysql"];

/** The broker's SASL_SSL listener (`--kafka-sasl-ssl`): SCRAM over TLS with the stack's own CA. */
export type SaslSslEndpoint = {
  brokers: string;
  /** PEM of the CA that signed the broker's certificate (for KAFKA_SSL_CA_FILE). */
  caFile: string;
  mechanism: "scram-sha-512";
  username: string;
  password: string;
};

/**
 * The mutual-TLS listener (`--kafka-mtls`): TLS with the stack's CA, and the broker requires a client
 * certificate signed by that CA (`ssl.client.auth=required`). The stack makes one client
 * certificate and its key (PEM, the key unencrypted, as KAFKA_SSL_CERT_FILE/KAFKA_SSL_KEY_FILE want).
 */
export type MtlsEndpoint = { brokers: string; caFile: string; certFile: string; keyFile: string };

/**
 * Jaeger v2 (`--with-tracing`), in memory: OTLP receivers for OTEL_EXPORTER_OTLP_ENDPOINT and its
 * HTTP query API (`/api/traces`, `/api/services`), all on loopback.
 */
export type JaegerEndpoint = { otlpHttp: string; otlpGrpc: string; queryUrl: string };

/**
 * The proxied listener (`--kafka-proxied`): the broker listens on `upstream` but advertises
 * `brokers`, where a test's TCP proxy is expected to listen, so every connection a client makes
 * (bootstrap and the broker connections it learns from metadata) passes through the proxy.
 */
export type ProxiedEndpoint = { brokers: string; upstream: string };

/** What the product's tests and demo read: keep this shape stable (new fields only, optional). */
export type Endpoints = {
  kafkaBrokers: string;
  dynamodbEndpoint: string;
  awsRegion: string;
  postgresUrl?: string;
  connectUrl?: string;
  /** With --with-mysql: `mysql://user:password@127.0.0.1:port/database` (MariaDB). */
  mysqlUrl?: string;
  /** Apicurio Registry's Confluent-compatible API (`--with-registry`), for SCHEMA_REGISTRY_URL. */
  registryUrl?: string;
  kafkaSaslSsl?: SaslSslEndpoint;
  kafkaProxied?: ProxiedEndpoint;
  kafkaMtls?: MtlsEndpoint;
  jaeger?: JaegerEndpoint;
  pids: Partial<Record<PartName, number>>;
  startedAt: string;
};

/** The stack's own bookkeeping (stack.json): enough to restart any part on the same ports. */
export type PortName =
  | PartName
  | "controller"
  | "kafkaSaslSsl"
  | "kafkaProxied"
  | "kafkaProxy"
  | "registryManagement"
  | "kafkaMtls"
  | "jaegerOtlpGrpc"
  | "jaegerOtlpHttp"
  | "jaegerQueryGrpc";

/** Extra broker listeners, fixed when the stack is created (SCRAM users are written at format time). */
export type KafkaListeners = {
  saslSsl?: { username: string; password: string; keystorePassword: string };
  proxied?: boolean;
  /** An SSL listener requiring client certificates; shares the server keystore with saslSsl. */
  mtls?: { keystorePassword: string };
};

export type StackState = {
  dir: string;
  withCdc: boolean;
  /** Absent in stacks made before MariaDB was a part: no mysql part. */
  withMysql?: boolean;
  /** Apicurio Registry too (absent in stacks made before it existed: no). */
  withRegistry?: boolean;
  /** Jaeger v2 too (absent in stacks made before it existed: no). */
  withTracing?: boolean;
  dynamodbPersistent: boolean;
  /** Absent in stacks made before listeners existed: the plaintext listener only. */
  kafkaListeners?: KafkaListeners;
  ports: Partial<Record<PortName, number>>;
  pids: Partial<Record<PartName, number>>;
  startedAt: string;
  clusterId: string;
  jars: { kafka?: string; connect?: string; debezium?: string; registry?: string };
  /** A Java 21+ runtime for Apicurio Registry (tools/stack/java.ts). */
  registryJava?: string;
  /** The dynoxide binary the dynamodb part runs (tools/stack/dynoxide.ts). */
  dynoxide?: string;
  /** The jaeger binary the jaeger part runs (tools/stack/jaeger.ts). */
  jaeger?: string;
  /**
   * A DynamoDB endpoint the stack does not run (CDC_SINK_DYNAMODB_ENDPOINT when the stack was
   * made, e.g. DynamoDB Local): then there is no dynamodb part, and endpoints name this URL.
   */
  externalDynamodb?: string;
  postgres?: { bin: string; osUser: string; user: string; password: string; database: string };
  mysql?: { server: string; installDb: string; user: string; password: string; database: string };
};

export const AWS_REGION = "us-east-1";
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** --dir, then CDC_SINK_STACK_DIR, then <repo>/.stack; always absolute, as it tags processes. */
export function resolveDir(dir?: string): string {
  return resolve(dir ?? process.env.CDC_SINK_STACK_DIR ?? join(REPO_ROOT, ".stack"));
}

export const logFile = (dir: string, part: string): string => join(dir, "logs", `${part}.log`);
export const partDir = (dir: string, part: PartName): string => join(dir, part);

/** Where the SASL_SSL listener's CA and keystore live (removed with the rest by `down`). */
export const kafkaTlsFiles = (
  dir: string,
): { dir: string; ca: string; keystore: string; clientCert: string; clientKey: string } => ({
  dir: join(dir, "kafka", "tls"),
  ca: join(dir, "kafka", "tls", "ca.pem"),
  keystore: join(dir, "kafka", "tls", "server.p12"),
  clientCert: join(dir, "kafka", "tls", "client.pem"),
  clientKey: join(dir, "kafka", "tls", "client.key"),
});

export function readState(dir: string): StackState | undefined {
  const file = join(dir, "stack.json");
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as StackState;
}

function writeAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function writeState(state: StackState): void {
  writeAtomic(join(state.dir, "stack.json"), `${JSON.stringify(state, null, 2)}\n`);
}

export const registryUrl = (state: StackState): string =>
  `http://127.0.0.1:${state.ports.registry}/apis/ccompat/v7`;

export function endpointsOf(state: StackState): Endpoints {
  const { ports, postgres, mysql } = state;
  return {
    kafkaBrokers: `127.0.0.1:${ports.kafka}`,
    dynamodbEndpoint: state.externalDynamodb ?? `http://127.0.0.1:${ports.dynamodb}`,
    awsRegion: AWS_REGION,
    ...(state.withCdc && postgres
      ? {
          postgresUrl:
            `postgres://${postgres.user}:${postgres.password}` +
            `@127.0.0.1:${ports.postgres}/${postgres.database}`,
          connectUrl: `http://127.0.0.1:${ports.connect}`,
        }
      : {}),
    ...(state.withMysql === true && mysql
      ? {
          mysqlUrl: `mysql://${mysql.user}:${mysql.password}` + `@127.0.0.1:${ports.mysql}/${mysql.database}`,
        }
      : {}),
    ...(state.withRegistry === true ? { registryUrl: registryUrl(state) } : {}),
    ...(state.kafkaListeners?.saslSsl
      ? {
          kafkaSaslSsl: {
            brokers: `127.0.0.1:${ports.kafkaSaslSsl}`,
            caFile: kafkaTlsFiles(state.dir).ca,
            mechanism: "scram-sha-512" as const,
            username: state.kafkaListeners.saslSsl.username,
            password: state.kafkaListeners.saslSsl.password,
          },
        }
      : {}),
    ...(state.kafkaListeners?.proxied === true
      ? {
          kafkaProxied: {
            brokers: `127.0.0.1:${ports.kafkaProxy}`,
            upstream: `127.0.0.1:${ports.kafkaProxied}`,
          },
        }
      : {}),
    ...(state.kafkaListeners?.mtls
      ? {
          kafkaMtls: {
            brokers: `127.0.0.1:${ports.kafkaMtls}`,
            caFile: kafkaTlsFiles(state.dir).ca,
            certFile: kafkaTlsFiles(state.dir).clientCert,
            keyFile: kafkaTlsFiles(state.dir).clientKey,
          },
        }
      : {}),
    ...(state.withTracing === true
      ? {
          jaeger: {
            otlpHttp: `http://127.0.0.1:${ports.jaegerOtlpHttp}`,
            otlpGrpc: `http://127.0.0.1:${ports.jaegerOtlpGrpc}`,
            queryUrl: `http://127.0.0.1:${ports.jaeger}`,
          },
        }
      : {}),
    pids: state.pids,
    startedAt: state.startedAt,
  };
}

export function envLines(endpoints: Endpoints): string[] {
  const vars: [string, string | undefined][] = [
    ["KAFKA_BROKERS", endpoints.kafkaBrokers],
    ["DYNAMODB_ENDPOINT", endpoints.dynamodbEndpoint],
    ["AWS_REGION", endpoints.awsRegion],
    // dynoxide (like DynamoDB Local) accepts any credentials; the SDK only needs some to sign with.
    ["AWS_ACCESS_KEY_ID", "local"],
    ["AWS_SECRET_ACCESS_KEY", "local"],
    ["PG_URL", endpoints.postgresUrl],
    ["CONNECT_URL", endpoints.connectUrl],
    ["MYSQL_URL", endpoints.mysqlUrl],
    ["SCHEMA_REGISTRY_URL", endpoints.registryUrl],
    // With --with-tracing a sink started from these lines exports its traces to the stack's Jaeger,
    // which takes traces only (its OTLP receiver answers 404 for metrics and logs).
    ["OTEL_EXPORTER_OTLP_ENDPOINT", endpoints.jaeger?.otlpHttp],
    ["OTEL_METRICS_EXPORTER", endpoints.jaeger && "none"],
    ["OTEL_LOGS_EXPORTER", endpoints.jaeger && "none"],
    ["JAEGER_QUERY_URL", endpoints.jaeger?.queryUrl],
  ];
  return vars.filter(([, v]) => v !== undefined).map(([k, v]) => `export ${k}=${v}`);
}

export function writeEndpoints(state: StackState): Endpoints {
  const endpoints = endpointsOf(state);
  writeAtomic(join(state.dir, "endpoints.json"), `${JSON.stringify(endpoints, null, 2)}\n`);
  writeAtomic(join(state.dir, "endpoints.env"), `${envLines(endpoints).join("\n")}\n`);
  return endpoints;
}

export function readEndpoints(dir?: string): Endpoints {
  const file = join(resolveDir(dir), "endpoints.json");
  if (!existsSync(file)) {
    throw new StackError(`no endpoints at ${file}: start the stack with npm run stack -- up`);
  }
  return JSON.parse(readFileSync(file, "utf8")) as Endpoints;
}

/** Everything but the logs: data, configs and bookkeeping of a stopped stack. */
export function removeVolatile(dir: string): void {
  for (const name of [...PART_NAMES, "stack.json", "endpoints.json", "endpoints.env"]) {
    rmSync(join(dir, name), { recursive: true, force: true });
  }
}
