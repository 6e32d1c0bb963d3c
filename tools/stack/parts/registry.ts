import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StackError } from "../errors.ts";
import { runToEnd } from "../process.ts";
import { logFile, partDir, registryUrl } from "../state.ts";
import type { Part } from "./part.ts";

/** Apicurio Registry 3.x is built for Java 21 (its Quarkus release refuses older runtimes). */
export const REGISTRY_JAVA = 21;

/**
 * The archive fetched by `ensureJars("registry")` unpacked beside it, once: quarkus-run.jar and its
 * lib/, app/ and quarkus/ folders. Unpacked into a private folder and renamed, so two stacks
 * starting at once never run half an archive.
 */
export async function unpackRegistry(jarsDir: string, log: string): Promise<string> {
  const target = join(jarsDir, "app");
  if (existsSync(join(target, "quarkus-run.jar"))) return target;
  const archive = readdirSync(jarsDir).find((f) => f.endsWith(".tar.gz"));
  if (archive === undefined) throw new StackError(`no Apicurio Registry archive in ${jarsDir}`);
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const code = await runToEnd({
    cmd: "tar",
    args: ["-xzf", join(jarsDir, archive), "-C", partial],
    cwd: jarsDir,
    logFile: log,
  });
  if (code !== 0 || !existsSync(join(partial, "quarkus-run.jar"))) {
    rmSync(partial, { recursive: true, force: true });
    throw new StackError(`unpacking ${archive} failed (tar exit ${code}), see ${log}`);
  }
  if (existsSync(join(target, "quarkus-run.jar"))) rmSync(partial, { recursive: true, force: true });
  else renameSync(partial, target);
  return target;
}

/**
 * Apicurio Registry with its in-memory storage (SQL storage on an in-memory H2, the default),
 * serving Confluent's API at /apis/ccompat/v7. Data is gone when it stops, as with dynoxide.
 */
export const registryPart: Part = {
  name: "registry",
  stopSignal: "SIGTERM",
  readyTimeoutMs: 120_000,

  async prepare(state) {
    mkdirSync(partDir(state.dir, "registry"), { recursive: true });
    return Promise.resolve();
  },

  command(state) {
    const home = partDir(state.dir, "registry");
    if (state.jars.registry === undefined || state.registryJava === undefined)
      throw new StackError("Apicurio Registry not fetched, or no Java 21+ found");
    const app = join(state.jars.registry, "app");
    writeFileSync(join(home, "README"), `Apicurio Registry from ${app}\n`);
    return {
      cmd: state.registryJava,
      args: [
        "-Xms64m",
        "-Xmx384m",
        "-XX:+ExitOnOutOfMemoryError",
        `-Dquarkus.http.port=${state.ports.registry}`,
        "-Dquarkus.http.host=127.0.0.1",
        // Apicurio's build fixes Quarkus's management interface (health, metrics) on, so it cannot
        // be turned off at run time; left alone it binds 0.0.0.0:9000, which a second stack on the
        // machine also wants. It gets a free loopback port of its own instead.
        `-Dquarkus.management.port=${state.ports.registryManagement}`,
        "-Dquarkus.management.host=127.0.0.1",
        "-Dapicurio.storage.kind=sql",
        "-Dapicurio.storage.sql.kind=h2",
        "-jar",
        join(app, "quarkus-run.jar"),
      ],
      cwd: home,
      logFile: logFile(state.dir, "registry"),
    };
  },

  async probe(state) {
    // The Confluent API itself: what the sink and the converter use.
    const response = await fetch(`${registryUrl(state)}/subjects`, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`GET /subjects: HTTP ${response.status}`);
    await response.json();
  },
};
