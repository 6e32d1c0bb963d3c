// Configuration, parsed once at the edge: every problem is reported at once with the variable's
// name, and a frozen typed object is handed inward. Only the composition root calls this.

import { z } from "zod";
import { ENV_SPEC, type EnvName } from "./env-spec.ts";
import { parseRoutes, type Route } from "./routes.ts";

export type SaslConfig =
  | { mechanism: "scram-sha-256" | "scram-sha-512" | "plain"; username: string; password: string }
  /** Amazon MSK IAM: an OAUTHBEARER token signed with the AWS default credential chain for `region`. */
  | { mechanism: "aws-msk-iam"; region: string };
export type TlsConfig = { ca?: string; cert?: string; key?: string };

export type Config = Readonly<{
  kafka: Readonly<{
    brokers: string[];
    clientId: string;
    groupId: string;
    topics: string[];
    topicPattern: RegExp | undefined;
    fromBeginning: boolean;
    sessionTimeoutMs: number;
    heartbeatIntervalMs: number;
    metadataMaxAgeMs: number;
    commitIntervalMs: number;
    fetchMaxBytes: number;
    tls: TlsConfig | undefined;
    sasl: SaslConfig | undefined;
    dlqTopic: string | undefined;
    allowCompactedTopics: boolean;
  }>;
  dynamodb: Readonly<{
    table: string;
    keyAttribute: string;
    region: string;
    endpoint: string | undefined;
    requestTimeoutMs: number;
    writeMode: "auto" | "put" | "transact";
    writeBatchItems: number;
  }>;
  records: Readonly<{
    versionSource: "auto" | "column" | "kafka-offset";
    versionColumn: string | undefined;
    epoch: number;
    sourceName: string | undefined;
    tombstoneTtlSeconds: number;
    ttlAttribute: string;
    compression: "none" | "gzip";
  }>;
  routes: readonly Route[];
  processing: Readonly<{
    maxInFlight: number;
    maxBuffered: number;
    retryBaseMs: number;
    retryMaxMs: number;
    stuckTimeoutMs: number;
  }>;
  service: Readonly<{ shutdownDeadlineMs: number; healthPort: number; healthHost: string; logLevel: string }>;
}>;

export type Env = Readonly<Record<string, string | undefined>>;
export type ReadFile = (path: string) => string;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" })
  .transform((v) => ["true", "1", "yes"].includes(v));
const list = z.string().transform((v) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== ""),
);
const text = z.string().min(1);

const schema = z
  .object({
    KAFKA_BROKERS: list.pipe(
      z
        .array(z.string().regex(/^[^\s:]+:\d+$/, "each broker must be host:port"))
        .min(1, "needs at least one broker"),
    ),
    KAFKA_CLIENT_ID: text,
    KAFKA_GROUP_ID: text,
    KAFKA_TOPICS: list.optional(),
    KAFKA_TOPIC_PATTERN: z.string().optional(),
    KAFKA_FROM_BEGINNING: bool,
    KAFKA_SESSION_TIMEOUT_MS: int(6000),
    KAFKA_HEARTBEAT_INTERVAL_MS: int(100),
    KAFKA_METADATA_MAX_AGE_MS: int(1000),
    KAFKA_COMMIT_INTERVAL_MS: int(10, 60000),
    KAFKA_FETCH_MAX_BYTES: int(1024),
    DLQ_TOPIC: text.optional(),
    ALLOW_COMPACTED_TOPICS: bool,
    KAFKA_SSL: bool,
    KAFKA_SSL_CA_FILE: text.optional(),
    KAFKA_SSL_CERT_FILE: text.optional(),
    KAFKA_SSL_KEY_FILE: text.optional(),
    KAFKA_SASL_MECHANISM: z
      .enum(["scram-sha-256", "scram-sha-512", "plain", "aws-msk-iam"], {
        message: "must be scram-sha-256, scram-sha-512, plain or aws-msk-iam",
      })
      .optional(),
    KAFKA_SASL_USERNAME: text.optional(),
    KAFKA_SASL_PASSWORD: text.optional(),
    KAFKA_SASL_PASSWORD_FILE: text.optional(),
    DYNAMODB_TABLE: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{3,255}$/, "must be a DynamoDB table name (3–255 of a-z A-Z 0-9 _ . -)"),
    DYNAMODB_KEY_ATTRIBUTE: text,
    AWS_REGION: text,
    DYNAMODB_ENDPOINT: z.url({ message: "must be a URL such as http://127.0.0.1:8000" }).optional(),
    DYNAMODB_REQUEST_TIMEOUT_MS: int(100),
    WRITE_MODE: z.enum(["auto", "put", "transact"], { message: "must be auto, put or transact" }),
    WRITE_BATCH_ITEMS: int(1, 100),
    VERSION_SOURCE: z.enum(["auto", "column", "kafka-offset"], {
      message: "must be auto, column or kafka-offset",
    }),
    VERSION_COLUMN: text.optional(),
    VERSION_EPOCH: int(0, 9999),
    SOURCE_NAME: text.optional(),
    TOMBSTONE_TTL_SECONDS: int(0),
    TTL_ATTRIBUTE: text,
    ITEM_COMPRESSION: z.enum(["none", "gzip"], { message: "must be none or gzip" }),
    ROUTES_FILE: text.optional(),
    MAX_IN_FLIGHT: int(1, 4096),
    MAX_BUFFERED_RECORDS: int(1),
    RETRY_BASE_MS: int(1),
    RETRY_MAX_MS: int(1),
    STUCK_TIMEOUT_MS: int(1000),
    SHUTDOWN_DEADLINE_MS: int(0),
    HEALTH_PORT: int(0, 65535),
    HEALTH_HOST: text,
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      message: "must be a pino level",
    }),
  })
  .superRefine((c, ctx) => {
    const issue = (path: EnvName, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if ((c.KAFKA_TOPICS ?? []).length === 0 && c.KAFKA_TOPIC_PATTERN === undefined)
      issue("KAFKA_TOPICS", "set KAFKA_TOPICS or KAFKA_TOPIC_PATTERN");
    if (c.KAFKA_TOPIC_PATTERN !== undefined) {
      try {
        new RegExp(c.KAFKA_TOPIC_PATTERN);
      } catch (err) {
        issue("KAFKA_TOPIC_PATTERN", `is not a valid regular expression: ${(err as Error).message}`);
      }
    }
    if (c.VERSION_SOURCE === "column" && c.VERSION_COLUMN === undefined)
      issue("VERSION_COLUMN", "is required when VERSION_SOURCE=column");
    if (c.KAFKA_SASL_MECHANISM === "aws-msk-iam") {
      // MSK's IAM listener is TLS-only (port 9098); the signed token must never cross in plaintext.
      if (!c.KAFKA_SSL) issue("KAFKA_SSL", "must be true with KAFKA_SASL_MECHANISM=aws-msk-iam");
      for (const name of [
        "KAFKA_SASL_USERNAME",
        "KAFKA_SASL_PASSWORD",
        "KAFKA_SASL_PASSWORD_FILE",
      ] as const) {
        if (c[name] !== undefined)
          issue(
            name,
            "is not used with aws-msk-iam (IAM credentials come from the AWS default chain); unset it",
          );
      }
    } else if (c.KAFKA_SASL_MECHANISM !== undefined) {
      if (c.KAFKA_SASL_USERNAME === undefined)
        issue("KAFKA_SASL_USERNAME", `is required with KAFKA_SASL_MECHANISM`);
      if (c.KAFKA_SASL_PASSWORD === undefined && c.KAFKA_SASL_PASSWORD_FILE === undefined)
        issue("KAFKA_SASL_PASSWORD", "or KAFKA_SASL_PASSWORD_FILE is required with KAFKA_SASL_MECHANISM");
    }
    if ((c.KAFKA_SSL_CERT_FILE === undefined) !== (c.KAFKA_SSL_KEY_FILE === undefined))
      issue("KAFKA_SSL_KEY_FILE", "KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together");
    if (c.RETRY_MAX_MS < c.RETRY_BASE_MS) issue("RETRY_MAX_MS", "must be at least RETRY_BASE_MS");
    if (c.KAFKA_HEARTBEAT_INTERVAL_MS * 3 > c.KAFKA_SESSION_TIMEOUT_MS)
      issue("KAFKA_HEARTBEAT_INTERVAL_MS", "must be at most a third of KAFKA_SESSION_TIMEOUT_MS");
  });

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/** Defaults from ENV_SPEC; empty strings count as unset. */
function withDefaults(env: Env): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const v of ENV_SPEC) {
    const raw = env[v.name];
    out[v.name] =
      raw !== undefined && raw.trim() !== "" ? raw.trim() : "default" in v ? v.default : undefined;
  }
  return out;
}

export function loadConfig(env: Env, readFile: ReadFile): ConfigResult {
  const raw = withDefaults(env);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? "config");
      return i.code === "invalid_type" ? `${name}: is required` : `${name}: ${i.message}`;
    });
    // zod skips refinements when a field fails; the one rule a first-time user always meets is
    // reported anyway, so that a single run lists everything to fix.
    if (raw["KAFKA_TOPICS"] === undefined && raw["KAFKA_TOPIC_PATTERN"] === undefined)
      errors.push("KAFKA_TOPICS: set KAFKA_TOPICS or KAFKA_TOPIC_PATTERN");
    return { ok: false, errors };
  }
  const c = parsed.data;
  const errors: string[] = [];
  const read = (name: EnvName, path: string | undefined): string | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFile(path);
    } catch (err) {
      errors.push(`${name}: cannot read ${path}: ${(err as Error).message}`);
      return undefined;
    }
  };
  const password =
    c.KAFKA_SASL_PASSWORD ?? read("KAFKA_SASL_PASSWORD_FILE", c.KAFKA_SASL_PASSWORD_FILE)?.trim();
  const tlsFiles = {
    ca: read("KAFKA_SSL_CA_FILE", c.KAFKA_SSL_CA_FILE),
    cert: read("KAFKA_SSL_CERT_FILE", c.KAFKA_SSL_CERT_FILE),
    key: read("KAFKA_SSL_KEY_FILE", c.KAFKA_SSL_KEY_FILE),
  };
  const tls = c.KAFKA_SSL
    ? (Object.fromEntries(Object.entries(tlsFiles).filter(([, v]) => v !== undefined)) as TlsConfig)
    : undefined;
  if (!c.KAFKA_SSL && c.KAFKA_SSL_CA_FILE !== undefined)
    errors.push("KAFKA_SSL_CA_FILE: is set but KAFKA_SSL is false; set KAFKA_SSL=true");
  let routes: Route[] = [];
  const routesText = read("ROUTES_FILE", c.ROUTES_FILE);
  if (routesText !== undefined) {
    const r = parseRoutes(routesText);
    if (r.ok) routes = r.routes;
    else errors.push(...r.errors.map((e) => `ROUTES_FILE: ${e}`));
  }
  if (errors.length > 0) return { ok: false, errors };

  const config: Config = {
    kafka: {
      brokers: c.KAFKA_BROKERS,
      clientId: c.KAFKA_CLIENT_ID,
      groupId: c.KAFKA_GROUP_ID,
      topics: c.KAFKA_TOPICS ?? [],
      topicPattern: c.KAFKA_TOPIC_PATTERN === undefined ? undefined : new RegExp(c.KAFKA_TOPIC_PATTERN),
      fromBeginning: c.KAFKA_FROM_BEGINNING,
      sessionTimeoutMs: c.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: c.KAFKA_HEARTBEAT_INTERVAL_MS,
      metadataMaxAgeMs: c.KAFKA_METADATA_MAX_AGE_MS,
      commitIntervalMs: c.KAFKA_COMMIT_INTERVAL_MS,
      fetchMaxBytes: c.KAFKA_FETCH_MAX_BYTES,
      tls,
      sasl:
        c.KAFKA_SASL_MECHANISM === undefined
          ? undefined
          : c.KAFKA_SASL_MECHANISM === "aws-msk-iam"
            ? { mechanism: "aws-msk-iam", region: c.AWS_REGION }
            : { mechanism: c.KAFKA_SASL_MECHANISM, username: c.KAFKA_SASL_USERNAME!, password: password! },
      dlqTopic: c.DLQ_TOPIC,
      allowCompactedTopics: c.ALLOW_COMPACTED_TOPICS,
    },
    dynamodb: {
      table: c.DYNAMODB_TABLE,
      keyAttribute: c.DYNAMODB_KEY_ATTRIBUTE,
      region: c.AWS_REGION,
      endpoint: c.DYNAMODB_ENDPOINT,
      requestTimeoutMs: c.DYNAMODB_REQUEST_TIMEOUT_MS,
      writeMode: c.WRITE_MODE,
      writeBatchItems: c.WRITE_BATCH_ITEMS,
    },
    records: {
      versionSource: c.VERSION_SOURCE,
      versionColumn: c.VERSION_COLUMN,
      epoch: c.VERSION_EPOCH,
      sourceName: c.SOURCE_NAME,
      tombstoneTtlSeconds: c.TOMBSTONE_TTL_SECONDS,
      ttlAttribute: c.TTL_ATTRIBUTE,
      compression: c.ITEM_COMPRESSION,
    },
    routes,
    processing: {
      maxInFlight: c.MAX_IN_FLIGHT,
      maxBuffered: c.MAX_BUFFERED_RECORDS,
      retryBaseMs: c.RETRY_BASE_MS,
      retryMaxMs: c.RETRY_MAX_MS,
      stuckTimeoutMs: c.STUCK_TIMEOUT_MS,
    },
    service: {
      shutdownDeadlineMs: c.SHUTDOWN_DEADLINE_MS,
      healthPort: c.HEALTH_PORT,
      healthHost: c.HEALTH_HOST,
      logLevel: c.LOG_LEVEL,
    },
  };
  return { ok: true, config: deepFreeze(config) };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !(value instanceof RegExp)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
