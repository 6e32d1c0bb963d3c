// Finding a Java runtime of at least a given major version. Kafka and Connect run on the `java` of
// PATH (17+); Apicurio Registry 3.x is built for Java 21 and refuses older runtimes, and a machine
// often has several JDKs side by side. Candidates are asked for their version; no path is assumed.

import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { StackError } from "./errors.ts";

/** The major version `java -version` reports ("17.0.9", "21", "1.8.0_392" → 8); 0 if it fails. */
export function javaMajor(javaBin: string): number {
  const result = spawnSync(javaBin, ["-version"], { encoding: "utf8" });
  if (result.error || result.status !== 0) return 0;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr);
  if (match === null) return 0;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2] ?? 0) : first;
}

/** Where Java runtimes usually live: JAVA_HOME, PATH's java, then each JVM folder of the system. */
export function javaCandidates(
  env: NodeJS.ProcessEnv = process.env,
  roots = ["/usr/lib/jvm", "/opt/java", "/usr/java"],
): string[] {
  const candidates: string[] = [];
  if (env["JAVA_HOME"]) candidates.push(join(env["JAVA_HOME"], "bin", "java"));
  candidates.push("java");
  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root).sort().reverse()) candidates.push(join(root, entry, "bin", "java"));
  }
  return [...new Set(candidates)].filter((c) => c === "java" || existsSync(c));
}

/** The first candidate whose version is at least `minMajor`; a StackError naming what was found. */
export function findJava(minMajor: number, candidates = javaCandidates()): { bin: string; major: number } {
  const seen: string[] = [];
  for (const bin of candidates) {
    const major = javaMajor(bin);
    if (major >= minMajor) return { bin, major };
    seen.push(`${bin} (${major === 0 ? "does not run" : `Java ${major}`})`);
  }
  throw new StackError(
    `no Java ${minMajor}+ runtime found (tried ${seen.join(", ") || "nothing"}): install one (e.g. ` +
      `apt-get install openjdk-${minMajor}-jre-headless) or point JAVA_HOME at it`,
  );
}
