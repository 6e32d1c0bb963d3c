import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { StackError, describeError } from "./errors.ts";
import { ensureDynoxide } from "./dynoxide.ts";
import { ensureJars, requireJava } from "./fetch.ts";
import { connectPart } from "./parts/connect.ts";
import { dynamodbPart } from "./parts/dynamodb.ts";
import { ensureJaeger } from "./jaeger.ts";
import { jaegerPart } from "./parts/jaeger.ts";
import { kafkaPart } from "./parts/kafka.ts";
import type { Part } from "./parts/part.ts";
import { findMysqlBin, mysqlPart } from "./parts/mysql.ts";
import { findPostgresBin, postgresOsUser, postgresPart } from "./parts/postgres.ts";
import { REGISTRY_JAVA, registryPart, unpackRegistry } from "./parts/registry.ts";
import { findJava } from "./java.ts";
import { findTagged, freePorts, isOurs, spawnPart, stopProcess, tail, type Started } from "./process.ts";
import {
  CDC_PARTS,
  MYSQL_PARTS,
  PART_NAMES,
  type KafkaListeners,
  type PortName,
  logFile,
  readState,
  removeVolatile,
  resolveDir,
  writeEndpoints,
  writeState,
  type Endpoints,
  type PartName,
  type StackState,
} from "./state.ts";

export const PARTS: Record<PartName, Part> = {
  kafka: kafkaPart,
  dynamodb: dynamodbPart,
  postgres: postgresPart,
  mysql: mysqlPart,
  connect: connectPart,
  registry: registryPart,
  jaeger: jaegerPart,
};

export type StartOptions = {
  dir?: string;
  withCdc?: boolean;
  /** MariaDB with a row-based binlog, for Debezium's MySQL connector; implies withCdc (Connect). */
  withMysql?: boolean;
  /** Apicurio Registry (Confluent-compatible API) besides the rest; needs a Java 21+ runtime. */
  withRegistry?: boolean;
  /** Jaeger v2 (in memory, loopback ports) for the sink's traces; built with Go the first time. */
  withTracing?: boolean;
  dynamodbPersistent?: boolean;
  /** A SASL_SSL listener besides the plaintext one: SCRAM-SHA-512 over TLS with a CA the stack makes. */
  kafkaSaslSsl?: boolean;
  /** An SSL listener that requires a client certificate signed by the stack's CA (mutual TLS). */
  kafkaMtls?: boolean;
  /** A plaintext listener advertised on a port where a test's TCP proxy listens (see ProxiedEndpoint). */
  kafkaProxied?: boolean;
  /** The advertised port of the proxied listener (implies kafkaProxied); default: a free port. */
  kafkaProxyPort?: number;
  /** Aborting (e.g. on SIGINT) stops what this call started and rejects. */
  signal?: AbortSignal;
  log?: (line: string) => void;
};

export const partsOf = (state: StackState): PartName[] =>
  PART_NAMES.filter(
    (name) =>
      (state.withCdc || !CDC_PARTS.includes(name)) &&
      (state.withMysql === true || !MYSQL_PARTS.includes(name)) &&
      (name !== "registry" || state.withRegistry === true) &&
      (name !== "jaeger" || state.withTracing === true) &&
      (name !== "dynamodb" || state.externalDynamodb === undefined),
  );

/** CDC_SINK_DYNAMODB_ENDPOINT: run everything against that store instead of the stack's own. */
function externalDynamodb(): string | undefined {
  const url = process.env["CDC_SINK_DYNAMODB_ENDPOINT"];
  if (url === undefined || url === "") return undefined;
  if (!/^https?:\/\/[^/\s]+\/?$/.test(url)) {
    throw new StackError(
      `CDC_SINK_DYNAMODB_ENDPOINT must be an http(s) URL with no path, e.g. http://127.0.0.1:8000; got ` +
        `${JSON.stringify(url)}`,
    );
  }
  return url.replace(/\/$/, "");
}

/**
 * KRaft wants a 16-byte id in URL-safe base64 without padding, as `kafka-storage random-uuid`
 * prints; like Kafka's Uuid.randomUuid it never starts with "-", which a command line would
 * take for an option.
 */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/** Hex only: the SCRAM credential goes into `--add-scram '...=[name=..,password=..]'`. */
const secret = (): string => randomBytes(16).toString("hex");

function listenersFor(options: StartOptions): KafkaListeners {
  // One server keystore serves both TLS listeners, so they share its password.
  const keystorePassword = secret();
  return {
    ...(options.kafkaSaslSsl === true
      ? { saslSsl: { username: "cdcsink", password: secret(), keystorePassword } }
      : {}),
    ...(options.kafkaMtls === true ? { mtls: { keystorePassword } } : {}),
    ...(options.kafkaProxied === true || options.kafkaProxyPort !== undefined ? { proxied: true } : {}),
  };
}

function newState(dir: string, options: StartOptions): StackState {
  const external = externalDynamodb();
  return {
    dir,
    withCdc: options.withCdc === true || options.withMysql === true,
    withMysql: options.withMysql === true,
    withRegistry: options.withRegistry === true,
    withTracing: options.withTracing === true,
    dynamodbPersistent: options.dynamodbPersistent === true,
    kafkaListeners: listenersFor(options),
    ports: options.kafkaProxyPort === undefined ? {} : { kafkaProxy: options.kafkaProxyPort },
    pids: {},
    startedAt: new Date().toISOString(),
    clusterId: clusterId(),
    jars: {},
    ...(external === undefined ? {} : { externalDynamodb: external }),
  };
}

async function waitReady(part: Part, state: StackState, proc: Started, signal: AbortSignal): Promise<void> {
  const log = logFile(state.dir, part.name);
  const deadline = Date.now() + part.readyTimeoutMs;
  let last: string;
  for (;;) {
    signal.throwIfAborted();
    const exit = proc.exit();
    if (exit !== undefined) {
      const how = exit.signal ?? `exit code ${exit.code}`;
      const lastLine = tail(log, 1).slice(0, 300);
      throw new StackError(`${part.name} died during start (${how}): ${lastLine} — see ${log}`);
    }
    try {
      await part.probe(state);
      return;
    } catch (err) {
      last = describeError(err).slice(0, 200);
    }
    if (Date.now() > deadline) {
      throw new StackError(
        `${part.name} not ready after ${part.readyTimeoutMs / 1000} s (last probe: ${last}) — see ${log}`,
      );
    }
    await delay(250, undefined, { signal }).catch(() => undefined);
  }
}

/** Sets up, spawns and waits for one part; its pid is recorded before waiting, so it can be stopped. */
export async function launch(name: PartName, state: StackState, signal: AbortSignal): Promise<void> {
  const part = PARTS[name];
  await part.prepare(state);
  signal.throwIfAborted();
  const proc = spawnPart(part.command(state), state.dir);
  state.pids[name] = proc.pid;
  writeState(state);
  await waitReady(part, state, proc, signal);
  await part.afterReady?.(state);
}

/** Stops the named parts: Connect first (it would keep retrying a vanished broker), then the rest. */
export async function stopParts(state: StackState, names: PartName[]): Promise<void> {
  const stop = async (name: PartName): Promise<void> => {
    const pid = state.pids[name];
    if (pid !== undefined) await stopProcess(pid, state.dir, PARTS[name].stopSignal, 20_000);
    delete state.pids[name];
  };
  if (names.includes("connect")) await stop("connect");
  await Promise.all(names.filter((name) => name !== "connect").map(stop));
}

/** Launches parts side by side; the first failure aborts the others' waiting. */
async function launchAll(names: PartName[], state: StackState, outer: AbortSignal): Promise<void> {
  const controller = new AbortController();
  const signal = AbortSignal.any([outer, controller.signal]);
  await Promise.allSettled(
    names.map((name) => launch(name, state, signal).catch((err: unknown) => controller.abort(err))),
  );
  if (signal.aborted) throw signal.reason;
}

async function resolveTools(state: StackState, dir: string, say: (line: string) => void): Promise<void> {
  requireJava();
  if (state.externalDynamodb === undefined) {
    state.dynoxide = await ensureDynoxide(logFile(dir, "cargo"), say);
  }
  const mavenLog = logFile(dir, "maven");
  state.jars.kafka = await ensureJars("kafka", mavenLog);
  if (state.withTracing === true) state.jaeger = await ensureJaeger(logFile(dir, "go"), say);
  if (state.withRegistry === true) {
    state.registryJava = findJava(REGISTRY_JAVA).bin;
    state.jars.registry = await ensureJars("registry", mavenLog);
    await unpackRegistry(state.jars.registry, mavenLog);
  }
  if (!state.withCdc) return;
  state.jars.connect = await ensureJars("connect", mavenLog);
  state.jars.debezium = await ensureJars("debezium", mavenLog);
  state.postgres ??= {
    bin: findPostgresBin(),
    osUser: postgresOsUser(),
    user: "cdcsink",
    password: "cdcsink",
    database: "cdcsink",
  };
  if (state.withMysql === true)
    state.mysql ??= { ...findMysqlBin(), user: "cdcsink", password: "cdcsink", database: "cdcsink" };
}

async function assignPorts(state: StackState, names: PartName[]): Promise<void> {
  const wanted: PortName[] = [...names];
  if (names.includes("kafka")) {
    wanted.push("controller");
    if (state.kafkaListeners?.saslSsl !== undefined) wanted.push("kafkaSaslSsl");
    if (state.kafkaListeners?.proxied === true) wanted.push("kafkaProxied", "kafkaProxy");
    if (state.kafkaListeners?.mtls !== undefined) wanted.push("kafkaMtls");
  }
  if (names.includes("jaeger")) wanted.push("jaegerOtlpGrpc", "jaegerOtlpHttp", "jaegerQueryGrpc");
  if (names.includes("registry")) wanted.push("registryManagement");
  const missing = wanted.filter((name) => state.ports[name] === undefined);
  const ports = await freePorts(missing.length);
  missing.forEach((name, i) => (state.ports[name] = ports[i]));
}

/**
 * Brings the stack in `dir` up and returns its endpoints. Idempotent: parts already running are
 * kept, missing ones started (so `withCdc` adds Postgres and Connect to a running stack). On any
 * failure, everything this call started is stopped again before the error is rethrown.
 */
export async function startStack(options: StartOptions = {}): Promise<Endpoints> {
  const log = options.log ?? (() => undefined);
  const dir = resolveDir(options.dir);
  mkdirSync(join(dir, "logs"), { recursive: true });
  let state = readState(dir);
  if (state !== undefined && !PART_NAMES.some((name) => isOurs(state?.pids[name], dir))) {
    log(`removing leftovers of a stopped stack in ${dir}`);
    removeVolatile(dir);
    state = undefined;
  }
  const fresh = state === undefined;
  state ??= newState(dir, options);
  if (options.withCdc === true || options.withMysql === true) state.withCdc = true;
  if (options.withMysql === true) state.withMysql = true;
  if (options.withRegistry === true) state.withRegistry = true;
  if (options.withTracing === true) state.withTracing = true;
  if (!fresh && options.dynamodbPersistent === true && !state.dynamodbPersistent) {
    log("note: the running dynoxide is in-memory; down and up again for --dynamodb-persistent");
  }
  const wantedListeners = listenersFor(options);
  const haveListeners = state.kafkaListeners ?? {};
  if (
    !fresh &&
    ((wantedListeners.saslSsl && !haveListeners.saslSsl) ||
      (wantedListeners.proxied && !haveListeners.proxied) ||
      (wantedListeners.mtls && !haveListeners.mtls))
  ) {
    log(
      "note: the stack's broker was made without these listeners; down and up again for " +
        "--kafka-sasl-ssl/--kafka-proxied/--kafka-mtls",
    );
  }
  const current = state;
  const toStart = partsOf(current).filter((name) => !isOurs(current.pids[name], dir));
  if (toStart.length === 0) {
    log(`stack already up in ${dir}`);
    return writeEndpoints(current);
  }
  const signal = options.signal ?? new AbortController().signal;
  try {
    await resolveTools(current, dir, log);
    await assignPorts(current, toStart);
    writeState(current);
    log(`starting ${toStart.join(", ")} in ${dir}`);
    await launchAll(
      toStart.filter((name) => name !== "connect"),
      current,
      signal,
    );
    // Connect needs the broker for its internal topics, so it starts once Kafka answers.
    if (toStart.includes("connect")) await launchAll(["connect"], current, signal);
    current.startedAt = fresh ? new Date().toISOString() : current.startedAt;
    writeState(current);
    return writeEndpoints(current);
  } catch (err) {
    await stopParts(current, toStart);
    if (fresh) removeVolatile(dir);
    else writeState(current);
    throw err;
  }
}

/** Stops every process this stack started (recorded or tagged) and removes all but the logs. */
export async function stopStack(dir?: string): Promise<PartName[]> {
  const stackDir = resolveDir(dir);
  const state = readState(stackDir);
  const stopped: PartName[] = [];
  if (state !== undefined) {
    const running = PART_NAMES.filter((name) => isOurs(state.pids[name], stackDir));
    await stopParts(state, running);
    stopped.push(...running);
  }
  for (const pid of findTagged(stackDir)) await stopProcess(pid, stackDir, "SIGTERM", 10_000);
  removeVolatile(stackDir);
  return stopped;
}
