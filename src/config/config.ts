// Configuration, parsed once at the edge: every problem is reported at once with the variable's
// name, and a frozen typed object is handed inward. Only the composition root calls this.
//
// The schema is built from ENV_SPEC (each variable's parser, default and required flag), and the
// Config type is the schema's output: nothing here repeats the list of variables.

import { z } from "zod";
import { ENV_SPEC, type EnvName } from "./env-spec.ts";
import { parseRoutes, type Route } from "./routes.ts";
import { clientPairProblem } from "./tls-pair.ts";
import { crossFieldRules, mappingProblems } from "./rules.ts";
import { shape, type Shape, type Values } from "./values.ts";

export type Env = Readonly<Record<string, string | undefined>>;
export type ReadFile = (path: string) => string;
function configSchema(readFile: ReadFile) {
  return z
    .object(shape)
    .superRefine((c, ctx) =>
      crossFieldRules(c, (name, message) => ctx.addIssue({ code: "custom", path: [name], message })),
    )
    .transform((c, ctx) => {
      const read = (name: EnvName, path: string | undefined): string | undefined => {
        if (path === undefined) return undefined;
        try {
          return readFile(path);
        } catch (err) {
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: `cannot read ${path}: ${(err as Error).message}`,
          });
          return undefined;
        }
      };
      const password =
        c.KAFKA_SASL_PASSWORD ?? read("KAFKA_SASL_PASSWORD_FILE", c.KAFKA_SASL_PASSWORD_FILE)?.trim();
      const files = {
        ca: read("KAFKA_SSL_CA_FILE", c.KAFKA_SSL_CA_FILE),
        cert: read("KAFKA_SSL_CERT_FILE", c.KAFKA_SSL_CERT_FILE),
        key: read("KAFKA_SSL_KEY_FILE", c.KAFKA_SSL_KEY_FILE),
      };
      const pairProblem =
        files.cert === undefined || files.key === undefined
          ? undefined
          : clientPairProblem(
              { cert: "KAFKA_SSL_CERT_FILE", key: "KAFKA_SSL_KEY_FILE" },
              files.cert,
              files.key,
            );
      if (pairProblem !== undefined)
        ctx.addIssue({ code: "custom", path: ["KAFKA_SSL_KEY_FILE"], message: pairProblem });
      const tls: { ca?: string; cert?: string; key?: string } | undefined = c.KAFKA_SSL
        ? Object.fromEntries(Object.entries(files).filter(([, v]) => v !== undefined))
        : undefined;
      const routesText = read("ROUTES_FILE", c.ROUTES_FILE);
      const parsedRoutes = routesText === undefined ? undefined : parseRoutes(routesText);
      if (parsedRoutes?.ok === false)
        for (const e of parsedRoutes.errors)
          ctx.addIssue({ code: "custom", path: ["ROUTES_FILE"], message: e });
      const routes = parsedRoutes?.ok ? parsedRoutes.routes : [];
      // Avro anywhere (service-wide or in a route) needs the registry its records name.
      if (
        c.SCHEMA_REGISTRY_URL === undefined &&
        (c.RECORD_ENCODING === "avro" || routes.some((r) => r.encoding === "avro"))
      )
        ctx.addIssue({
          code: "custom",
          path: ["SCHEMA_REGISTRY_URL"],
          message: "is required when RECORD_ENCODING (or a route's encoding) is avro",
        });
      for (const p of mappingProblems(c, routes))
        ctx.addIssue({
          code: "custom",
          path: [p.startsWith("ITEM_MAPPING") ? "ITEM_MAPPING" : "ROUTES_FILE"],
          message: p,
        });
      const registryTls = {
        ca: read("SCHEMA_REGISTRY_CA_FILE", c.SCHEMA_REGISTRY_CA_FILE),
        cert: read("SCHEMA_REGISTRY_CERT_FILE", c.SCHEMA_REGISTRY_CERT_FILE),
        key: read("SCHEMA_REGISTRY_KEY_FILE", c.SCHEMA_REGISTRY_KEY_FILE),
      };
      return build(c, { tls, password: password ?? "", routes, registryTls });
    });
}

export type TlsConfig = { ca?: string; cert?: string; key?: string };
type Extras = {
  tls: TlsConfig | undefined;
  password: string;
  routes: Route[];
  registryTls: { ca: string | undefined; cert: string | undefined; key: string | undefined };
};

/** The typed, grouped configuration the service is built from. */
function build(c: Values, x: Extras) {
  const sasl =
    c.KAFKA_SASL_MECHANISM === undefined
      ? undefined
      : c.KAFKA_SASL_MECHANISM === "aws-msk-iam"
        ? { mechanism: "aws-msk-iam" as const, region: c.AWS_REGION }
        : { mechanism: c.KAFKA_SASL_MECHANISM, username: c.KAFKA_SASL_USERNAME ?? "", password: x.password };
  return {
    kafka: {
      brokers: c.KAFKA_BROKERS,
      clientId: c.KAFKA_CLIENT_ID,
      client: c.KAFKA_CLIENT,
      groupProtocol: c.KAFKA_GROUP_PROTOCOL,
      clientModule: c.KAFKA_CLIENT_MODULE,
      groupId: c.KAFKA_GROUP_ID,
      topics: c.KAFKA_TOPICS ?? [],
      topicPattern: c.KAFKA_TOPIC_PATTERN === undefined ? undefined : new RegExp(c.KAFKA_TOPIC_PATTERN),
      fromBeginning: c.KAFKA_FROM_BEGINNING,
      sessionTimeoutMs: c.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: c.KAFKA_HEARTBEAT_INTERVAL_MS,
      metadataMaxAgeMs: c.KAFKA_METADATA_MAX_AGE_MS,
      commitIntervalMs: c.KAFKA_COMMIT_INTERVAL_MS,
      fetchMaxBytes: c.KAFKA_FETCH_MAX_BYTES,
      tls: x.tls,
      sasl,
      dlqTopic: c.DLQ_TOPIC,
      allowCompactedTopics: c.ALLOW_COMPACTED_TOPICS,
    },
    dynamodb: {
      table: c.DYNAMODB_TABLE,
      keyAttribute: c.DYNAMODB_KEY_ATTRIBUTE,
      region: c.AWS_REGION,
      endpoint: c.DYNAMODB_ENDPOINT,
      requestTimeoutMs: c.DYNAMODB_REQUEST_TIMEOUT_MS,
      writeClient: c.DYNAMODB_WRITE_CLIENT,
      writeMode: c.WRITE_MODE,
      writeBatchItems: c.WRITE_BATCH_ITEMS,
    },
    records: {
      format: c.RECORD_FORMAT,
      poisonPolicy: c.POISON_POLICY,
      truncate: c.TRUNCATE_POLICY,
      versionSource: c.VERSION_SOURCE,
      versionColumn: c.VERSION_COLUMN,
      epoch: c.VERSION_EPOCH,
      sourceName: c.SOURCE_NAME,
      tombstoneTtlSeconds: c.TOMBSTONE_TTL_SECONDS,
      ttlAttribute: c.TTL_ATTRIBUTE,
      compression: c.ITEM_COMPRESSION,
      mapping: c.ITEM_MAPPING,
    },
    routes: x.routes as readonly Route[],
    schemaRegistry: {
      encoding: c.RECORD_ENCODING,
      url: c.SCHEMA_REGISTRY_URL,
      username: c.SCHEMA_REGISTRY_USERNAME,
      password: c.SCHEMA_REGISTRY_PASSWORD,
      ...x.registryTls,
      timeoutMs: c.SCHEMA_REGISTRY_TIMEOUT_MS,
    },
    processing: {
      maxInFlight: c.MAX_IN_FLIGHT,
      maxBuffered: c.MAX_BUFFERED_RECORDS,
      retryBaseMs: c.RETRY_BASE_MS,
      retryMaxMs: c.RETRY_MAX_MS,
      stuckTimeoutMs: c.STUCK_TIMEOUT_MS,
      maxWriteUnitsPerSecond: c.MAX_WRITE_UNITS_PER_SECOND,
      breaker: {
        failureThreshold: c.BREAKER_FAILURE_THRESHOLD,
        probeInitialMs: c.BREAKER_PROBE_INITIAL_MS,
        probeMaxMs: c.BREAKER_PROBE_MAX_MS,
      },
      rebalanceStorm: { threshold: c.REBALANCE_STORM_THRESHOLD, windowMs: c.REBALANCE_STORM_WINDOW_MS },
    },
    service: {
      shutdownDeadlineMs: c.SHUTDOWN_DEADLINE_MS,
      healthPort: c.HEALTH_PORT,
      healthHost: c.HEALTH_HOST,
      logLevel: c.LOG_LEVEL,
      keyMode: c.OTEL_CDC_KEY_MODE,
    },
  };
}

// The groups are read-only (and frozen at run time); arrays keep the element types the clients take.
type Frozen<T> = { readonly [K in keyof T]: T[K] extends object ? Readonly<T[K]> : T[K] };

/** The configuration: the output of the schema, frozen. */
export type Config = Frozen<z.output<ReturnType<typeof configSchema>>>;
export type SaslConfig = NonNullable<Config["kafka"]["sasl"]>;

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/** The variables' texts with ENV_SPEC's defaults applied; empty strings count as unset. */
export function withDefaults(env: Env): Record<string, string | undefined> {
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
  const parsed = configSchema(readFile).safeParse(raw);
  if (parsed.success) return { ok: true, config: deepFreeze(parsed.data) };
  const errors = parsed.error.issues.map((i) => {
    const name = String(i.path[0] ?? "config");
    return i.code === "invalid_type" ? `${name}: is required` : `${name}: ${i.message}`;
  });
  // zod skips refinements when a field fails; the one rule a first-time user always meets is
  // reported anyway, so that a single run lists everything to fix.
  if (
    raw["KAFKA_TOPICS"] === undefined &&
    raw["KAFKA_TOPIC_PATTERN"] === undefined &&
    !errors.some((e) => e.startsWith("KAFKA_TOPICS:"))
  )
    errors.push("KAFKA_TOPICS: set KAFKA_TOPICS or KAFKA_TOPIC_PATTERN");
  return { ok: false, errors };
}

/** One variable parsed alone, with its default (for parts started before the whole config). */
export function parseVariable<N extends EnvName>(name: N, env: Env): z.output<Shape[N]> {
  return (shape[name] as z.ZodType).parse(withDefaults(env)[name]) as z.output<Shape[N]>;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !(value instanceof RegExp)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
