// npm run stack -- up|down|status|logs|env|fetch [--kafka 4|3.9] [--with-cdc] [--with-mysql] [--with-tracing]
//   [--dynamodb-persistent] [--kafka-sasl-ssl] [--kafka-mtls] [--kafka-proxied] [--kafka-proxy-port N] [--dir DIR]
//   [--json] [--help]
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseCommandLine, printJson } from "../cli/args.ts";
import { stackStatus } from "./control.ts";
import { describeError, StackError } from "./errors.ts";
import { DYNOXIDE, ensureDynoxide } from "./dynoxide.ts";
import { JAR_SETS, KAFKA_LINES, ensureJars, parseKafkaLine, requireJava, type KafkaLine } from "./fetch.ts";
import { JAEGER, ensureJaeger } from "./jaeger.ts";
import { tail } from "./process.ts";
import { startStack, stopStack } from "./stack.ts";
import { envLines, logFile, readEndpoints, resolveDir } from "./state.ts";

const USAGE = `usage: npm run stack -- <command> [options]
  up      start Kafka and dynoxide, a DynamoDB-compatible store (+ PostgreSQL and Kafka Connect/Debezium
          with --with-cdc; + MariaDB with --with-mysql); CDC_SINK_DYNAMODB_ENDPOINT=URL uses that store
          instead of dynoxide; prints the export lines of the endpoints
  down    stop every process of the stack and remove its data (logs stay)
  status  show each part; exit 1 if any is down
  logs    [part] [-f] [-n LINES]  print (or follow) the parts' logs
  env     print the export lines of a running stack
  fetch   download the jars and build dynoxide (cargo) into the cache without starting anything;
          with --with-tracing also build Jaeger (go; about 9 minutes once, then cached)
options (the flags are off unless given):
  --dir DIR             the stack's folder (default $CDC_SINK_STACK_DIR, else <repo>/.stack)
  --kafka LINE          the Kafka line: 4 (Kafka 4.4.0, Connect 4.3.1, Debezium 3.6.1 and its MariaDB
                        connector 3.5.0) or 3.9 (Kafka 3.9.1, Debezium 3.1.3); default $CDC_SINK_KAFKA,
                        else 4; fixed when the stack is made.
                        fetch fetches every line unless one is named
  --with-cdc            also PostgreSQL and Kafka Connect with Debezium (also adds them to a running stack)
  --with-mysql          also MariaDB with a row-based binlog (implies --with-cdc); MYSQL_URL
  --with-registry       also Apicurio Registry 3.3.3 (in memory; Confluent API at /apis/ccompat/v7, in
                        endpoints.json as registryUrl); needs a Java 21+ runtime, found by version
  --with-tracing        also Jaeger v2 (in memory; OTLP and its query API on loopback ports, in
                        endpoints.json as jaeger); built with Go 1.24.6+ the first time
  --dynamodb-persistent dynoxide keeps its data in a file, so it survives a kill -9 and a restart
                        (default: in memory)
  --kafka-sasl-ssl      also a SASL_SSL listener (SCRAM-SHA-512, TLS with a CA the stack makes);
                        its brokers, CA file, user and password are in endpoints.json (kafkaSaslSsl)
  --kafka-mtls          also an SSL listener requiring a client certificate from the stack's CA; its
                        brokers, CA, client certificate and key files are in endpoints.json (kafkaMtls)
  --kafka-proxied       also a plaintext listener advertised on another port, for a TCP proxy
  --kafka-proxy-port N  that advertised port (implies --kafka-proxied; default: a free port)
  -f, --follow          logs: follow them (tail -F)
  -n, --lines LINES     logs: how many of the last lines (default 100)
  --json                the result as JSON on stdout: up and env the endpoints, status the parts, down
                        the stopped parts, fetch the paths, logs the last lines of each file (not with -f)
  -h, --help            this text`;

const { values, positionals, fail } = parseCommandLine(
  "stack",
  USAGE,
  {
    dir: { type: "string" },
    kafka: { type: "string" },
    "with-cdc": { type: "boolean", default: false },
    "with-mysql": { type: "boolean", default: false },
    "with-registry": { type: "boolean", default: false },
    "with-tracing": { type: "boolean", default: false },
    "dynamodb-persistent": { type: "boolean", default: false },
    "kafka-sasl-ssl": { type: "boolean", default: false },
    "kafka-mtls": { type: "boolean", default: false },
    "kafka-proxied": { type: "boolean", default: false },
    "kafka-proxy-port": { type: "string" },
    follow: { type: "boolean", short: "f", default: false },
    lines: { type: "string", short: "n", default: "100" },
  },
  { allowPositionals: true },
);
const COMMANDS = ["up", "down", "status", "logs", "env", "fetch"];
const [command = fail(`a command is needed: one of ${COMMANDS.join(", ")}`), ...rest] = positionals;
if (!COMMANDS.includes(command))
  fail(`unknown command ${JSON.stringify(command)}: one of ${COMMANDS.join(", ")}`);
if (command === "logs" && values.follow && values.json) fail("logs --follow has no --json");
if (!/^\d+$/.test(values.lines)) fail(`--lines wants a number, got ${JSON.stringify(values.lines)}`);
const proxyPort = values["kafka-proxy-port"];
if (proxyPort !== undefined && !/^\d+$/.test(proxyPort))
  fail(`--kafka-proxy-port wants a port number, got ${JSON.stringify(proxyPort)}`);
let kafkaLine: KafkaLine | undefined;
try {
  kafkaLine = values.kafka === undefined ? undefined : parseKafkaLine(values.kafka);
} catch (err) {
  fail(describeError(err));
}

// kafkajs 2.2.4 arms a negative timer on Node >= 23; the warning is noise for a stack user.
process.removeAllListeners("warning");
process.on("warning", (w) => {
  if (w.name !== "TimeoutNegativeWarning") process.stderr.write(`${w.name}: ${w.message}\n`);
});
const say = (line: string): void => void process.stderr.write(`stack: ${line}\n`);

async function up(): Promise<number> {
  const abort = new AbortController();
  const interrupt = (sig: NodeJS.Signals): void =>
    abort.abort(new StackError(`interrupted by ${sig}; stopped what was started`));
  process.once("SIGINT", interrupt).once("SIGTERM", interrupt);
  const began = performance.now();
  const endpoints = await startStack({
    dir: values.dir,
    ...(kafkaLine === undefined ? {} : { kafka: kafkaLine }),
    withCdc: values["with-cdc"],
    withMysql: values["with-mysql"],
    withRegistry: values["with-registry"],
    withTracing: values["with-tracing"],
    dynamodbPersistent: values["dynamodb-persistent"],
    kafkaSaslSsl: values["kafka-sasl-ssl"],
    kafkaMtls: values["kafka-mtls"],
    kafkaProxied: values["kafka-proxied"],
    ...(proxyPort === undefined ? {} : { kafkaProxyPort: Number(proxyPort) }),
    signal: abort.signal,
    log: say,
  });
  say(
    `Kafka ${endpoints.kafkaVersion ?? "?"} up in ${((performance.now() - began) / 1000).toFixed(1)} s; endpoints in ` +
      `${join(resolveDir(values.dir), "endpoints.json")}`,
  );
  if (values.json) printJson(endpoints);
  else process.stdout.write(`${envLines(endpoints).join("\n")}\n`);
  return 0;
}

async function status(): Promise<number> {
  const report = await stackStatus(values.dir);
  if (values.json) printJson(report);
  if (report.parts.length === 0) {
    say(`no stack in ${report.dir}`);
    return 1;
  }
  for (const part of values.json ? [] : report.parts) {
    const state = part.state === "up" ? "up" : part.state.toUpperCase();
    process.stdout.write(
      `${part.name.padEnd(9)} ${state.padEnd(10)} pid ${String(part.pid ?? "-").padEnd(8)} ${part.detail}\n`,
    );
  }
  const bad = report.parts.filter((p) => p.state !== "up").map((p) => p.name);
  if (bad.length > 0) say(`${bad.join(", ")} ${bad.length === 1 ? "is" : "are"} not up in ${report.dir}`);
  return bad.length === 0 ? 0 : 1;
}

async function logs(): Promise<number> {
  const dir = resolveDir(values.dir);
  const part = rest[0];
  const files =
    part !== undefined
      ? [logFile(dir, part)]
      : existsSync(join(dir, "logs"))
        ? readdirSync(join(dir, "logs")).map((name) => join(dir, "logs", name))
        : [];
  const present = files.filter((file) => existsSync(file));
  if (present.length === 0)
    throw new StackError(`no logs${part ? ` for ${part}` : ""} in ${join(dir, "logs")}`);
  if (values.json) {
    printJson({
      dir,
      logs: present.map((file) => ({ file, lines: tail(file, Number(values.lines)).split("\n") })),
    });
    return 0;
  }
  const args = ["-n", values.lines, ...(values.follow ? ["-F"] : []), ...present];
  const child = spawn("tail", args, { stdio: "inherit" });
  return new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 0)));
}

async function fetchAll(): Promise<number> {
  requireJava();
  const mavenLog = join(resolveDir(values.dir), "logs", "maven.log");
  mkdirSync(join(resolveDir(values.dir), "logs"), { recursive: true });
  const bin = await ensureDynoxide(logFile(resolveDir(values.dir), "cargo"), say);
  say(`${DYNOXIDE.crate} ${DYNOXIDE.version} in ${bin}`);
  const jars: { set: string; line: KafkaLine; dir: string }[] = [];
  for (const line of kafkaLine === undefined ? KAFKA_LINES : [kafkaLine])
    for (const set of JAR_SETS) {
      jars.push({ set, line, dir: await ensureJars(set, line, mavenLog) });
      say(`${set} jars (Kafka ${line}) in ${jars.at(-1)!.dir}`);
    }
  const jaeger = values["with-tracing"]
    ? await ensureJaeger(logFile(resolveDir(values.dir), "go"), say)
    : undefined;
  if (jaeger !== undefined) say(`Jaeger ${JAEGER.release} in ${jaeger}`);
  if (values.json)
    printJson({
      dynoxide: { version: DYNOXIDE.version, path: bin },
      jars,
      ...(jaeger === undefined ? {} : { jaeger: { release: JAEGER.release, path: jaeger } }),
    });
  return 0;
}

async function main(): Promise<number> {
  switch (command) {
    case "up":
      return up();
    case "down": {
      const stopped = await stopStack(values.dir);
      say(stopped.length > 0 ? `stopped ${stopped.join(", ")}` : "nothing was running");
      if (values.json) printJson({ dir: resolveDir(values.dir), stopped });
      return 0;
    }
    case "status":
      return status();
    case "logs":
      return logs();
    case "env": {
      const endpoints = readEndpoints(values.dir);
      if (values.json) printJson(endpoints);
      else process.stdout.write(`${envLines(endpoints).join("\n")}\n`);
      return 0;
    }
    case "fetch":
      return fetchAll();
    default:
      return fail(`unknown command ${JSON.stringify(command)}`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(describeError(err));
    process.exit(err instanceof StackError && /interrupted/.test(err.message) ? 130 : 1);
  },
);
