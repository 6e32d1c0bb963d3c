import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { StackError } from "./errors.ts";
import { runToEnd } from "./process.ts";

export const JAR_SETS = ["kafka", "connect", "debezium", "registry"] as const;
export type JarSet = (typeof JAR_SETS)[number];

/**
 * The Kafka lines the stack runs, each a profile of pom.xml (`line-4`, `line-3.9`) naming the Kafka
 * release and the Debezium release built against it. 4 is the default (DEFAULT_KAFKA_LINE); 3.9 stays
 * selectable (`--kafka 3.9`, `npm run test:kafka3.9`) for clusters that have not moved yet.
 */
export const KAFKA_LINES = ["4", "3.9"] as const;
export type KafkaLine = (typeof KAFKA_LINES)[number];
export const DEFAULT_KAFKA_LINE: KafkaLine = "4";
/** The stack's Kafka line when no option names one (`npm test -- --kafka 3.9` sets it for its children). */
export const KAFKA_LINE_VAR = "CDC_SINK_KAFKA";

/** "4", "4.x" or "3.9" (what `--kafka` and CDC_SINK_KAFKA accept) → the line; anything else throws. */
export function parseKafkaLine(text: string): KafkaLine {
  const line = text === "4.x" ? "4" : text;
  const known = KAFKA_LINES.find((l) => l === line);
  if (known === undefined) {
    throw new StackError(`unknown Kafka line ${JSON.stringify(text)}: one of ${KAFKA_LINES.join(", ")}`);
  }
  return known;
}

/** The line named by CDC_SINK_KAFKA, or the default. */
export function kafkaLineFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaLine {
  const value = env[KAFKA_LINE_VAR];
  return value === undefined || value === "" ? DEFAULT_KAFKA_LINE : parseKafkaLine(value);
}

const POM = join(dirname(fileURLToPath(import.meta.url)), "pom.xml");
// Fully qualified so Maven never has to look up which plugin version "dependency:" means today.
const COPY_GOAL = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies";

export function cacheDir(): string {
  return process.env.CDC_SINK_CACHE ?? join(homedir(), ".cache", "cdc-dynamodb-sink");
}

/** Fails with what to do when Java is missing or older than 17 (Kafka Connect with Debezium 3.1 needs 17). */
export function requireJava(): void {
  const result = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (result.error || result.status !== 0) {
    throw new StackError(
      "java not found on PATH: install a Java 17+ runtime (apt-get install openjdk-17-jre-headless)",
    );
  }
  const match = /version "(\d+)/.exec(result.stderr);
  const major = match?.[1] === undefined ? 0 : Number(match[1]);
  if (major < 17) {
    throw new StackError(`java ${major} is too old: the stack needs Java 17 or newer on PATH`);
  }
}

function requireMaven(): void {
  const result = spawnSync("mvn", ["-v"], { encoding: "utf8" });
  if (result.error || result.status !== 0) {
    throw new StackError(
      "mvn not found on PATH: install Maven (apt-get install maven) to fetch the Kafka/Debezium jars",
    );
  }
}

/**
 * The folder holding one set of jars of one Kafka line, fetched once from Maven Central into the
 * cache. The folder name carries the line and a hash of the pom, so each line keeps its own folder
 * and changing a version fetches afresh instead of mixing jars. The registry runs no Kafka jar: one
 * folder serves every line.
 */
export async function ensureJars(set: JarSet, line: KafkaLine, logFile: string): Promise<string> {
  const pomHash = createHash("sha256").update(readFileSync(POM)).digest("hex").slice(0, 12);
  const name = set === "registry" ? `${set}-${pomHash}` : `${set}-kafka${line}-${pomHash}`;
  const target = join(cacheDir(), "jars", name);
  if (existsSync(join(target, ".complete"))) return target;
  requireMaven();
  // Fetch into a private folder and rename: two stacks starting at once never see half a set.
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  // Connect treats each folder in plugin.path as one plugin with its own class loader, so the
  // Debezium jars go one level down, together: the PostgreSQL and MySQL connectors of one Debezium
  // release share debezium-core and load side by side from the one folder. Apicurio's Avro
  // converter is a second plugin folder beside it, with its own Jackson and Avro; line 4's MariaDB
  // connector a third (another Debezium release: pom.xml's mariadb profile says why).
  const folders: [string, string][] =
    set === "debezium"
      ? [
          ["debezium", join(partial, "debezium-connectors")],
          ["converter", join(partial, "apicurio-converter")],
          ...(line === "4" ? [["mariadb", join(partial, "debezium-mariadb")] as [string, string]] : []),
        ]
      : [[set, partial]];
  for (const [profile, output] of folders) {
    mkdirSync(output, { recursive: true });
    const code = await runToEnd({
      cmd: "mvn",
      args: [
        "-B",
        "-q",
        "-f",
        POM,
        "-P",
        `${profile},line-${line}`,
        `-Dmaven.repo.local=${join(cacheDir(), "m2")}`,
        COPY_GOAL,
        "-DincludeScope=runtime",
        `-DoutputDirectory=${output}`,
      ],
      cwd: dirname(POM),
      logFile,
    });
    if (code !== 0 || readdirSync(output).length === 0) {
      rmSync(partial, { recursive: true, force: true });
      throw new StackError(
        `downloading the ${profile} jars (Kafka ${line}) from Maven Central failed (mvn exit ${code}): check access to ` +
          `Maven Central, see ${logFile}`,
      );
    }
  }
  writeFileSync(join(partial, ".complete"), new Date().toISOString());
  if (existsSync(join(target, ".complete"))) {
    rmSync(partial, { recursive: true, force: true });
  } else {
    rmSync(target, { recursive: true, force: true });
    renameSync(partial, target);
  }
  return target;
}
