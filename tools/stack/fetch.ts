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
 * The folder holding one set of jars, fetched once from Maven Central into the cache. The folder
 * name carries a hash of the pom, so changing a version fetches afresh instead of mixing jars.
 */
export async function ensureJars(set: JarSet, logFile: string): Promise<string> {
  const pomHash = createHash("sha256").update(readFileSync(POM)).digest("hex").slice(0, 12);
  const target = join(cacheDir(), "jars", `${set}-${pomHash}`);
  if (existsSync(join(target, ".complete"))) return target;
  requireMaven();
  // Fetch into a private folder and rename: two stacks starting at once never see half a set.
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  // Connect treats each folder in plugin.path as one plugin with its own class loader, so the
  // Debezium jars go one level down, together: the PostgreSQL and MySQL connectors of one Debezium
  // release share debezium-core and load side by side from the one folder. Apicurio's Avro
  // converter is a second plugin folder beside it, with its own Jackson and Avro.
  const folders: [string, string][] =
    set === "debezium"
      ? [
          ["debezium", join(partial, "debezium-connectors")],
          ["converter", join(partial, "apicurio-converter")],
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
        profile,
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
        `downloading the ${profile} jars from Maven Central failed (mvn exit ${code}): check access to ` +
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
