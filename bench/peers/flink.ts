// The Flink peer (docs/performance.md, "Peers"): bench/peers/flink/, a small Java job running
// Flink's KafkaSource and DynamoDbSink in a local MiniCluster, built on first use with
// `mvn -B -q package` into one shaded jar. The jar and the Maven repository it was built from are
// cached under ~/.cache/cdc-dynamodb-sink/peers/ (CDC_SINK_CACHE), the jar's folder named by a hash
// of the pom and the sources, so a later build needs no network and a changed source builds afresh.

import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir, requireJava } from "../../tools/stack/fetch.ts";
import { runToEnd } from "../../tools/stack/process.ts";
import { spawnTracked } from "../children.ts";
import { cpuMeter, cpuMs } from "../cpu.ts";

const PROJECT = join(dirname(fileURLToPath(import.meta.url)), "flink");

export type FlinkBuild = { jar: string; jarMb: number; builtSeconds: number | undefined };

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

/** The pom and every source, by path and content: what the jar is built from. */
export function sourceHash(project = PROJECT): string {
  const hash = createHash("sha256");
  for (const file of [join(project, "pom.xml"), ...files(join(project, "src"))])
    hash
      .update(`${relative(project, file)}\0`)
      .update(readFileSync(file))
      .update("\0");
  return hash.digest("hex").slice(0, 12);
}

/** The shaded jar, built once per source hash (a cold build fetches about 90 MB from Maven Central). */
export async function flinkJar(logFile: string, say: (line: string) => void): Promise<FlinkBuild> {
  const target = join(cacheDir(), "peers", `flink-${sourceHash()}`);
  const jar = join(target, "flink-peer.jar");
  const size = (): number => statSync(jar).size / 1024 / 1024;
  if (existsSync(jar)) return { jar, jarMb: size(), builtSeconds: undefined };
  requireJava();
  // Built in a copy beside the cache, so the checkout never holds a target/ folder and two benches
  // starting at once never see half a jar.
  const work = `${target}.partial-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  cpSync(join(PROJECT, "pom.xml"), join(work, "pom.xml"));
  cpSync(join(PROJECT, "src"), join(work, "src"), { recursive: true });
  say(`building the Flink peer with Maven (log: ${logFile})`);
  const began = performance.now();
  const code = await runToEnd({
    cmd: "mvn",
    args: ["-B", "-q", `-Dmaven.repo.local=${join(cacheDir(), "peers", "m2")}`, "package"],
    cwd: work,
    logFile,
  });
  const builtSeconds = (performance.now() - began) / 1000;
  const built = join(work, "target", "flink-peer.jar");
  if (code !== 0 || !existsSync(built)) {
    rmSync(work, { recursive: true, force: true });
    throw new Error(
      `building the Flink peer failed (mvn exit ${code}): needs mvn on PATH and Maven Central once; see ${logFile}`,
    );
  }
  mkdirSync(`${target}.jar-${process.pid}`, { recursive: true });
  renameSync(built, join(`${target}.jar-${process.pid}`, "flink-peer.jar"));
  rmSync(work, { recursive: true, force: true });
  if (existsSync(jar)) rmSync(`${target}.jar-${process.pid}`, { recursive: true, force: true });
  else renameSync(`${target}.jar-${process.pid}`, target);
  return { jar, jarMb: size(), builtSeconds };
}

export type FlinkOptions = {
  jar: string;
  brokers: string;
  endpoint: string;
  topic: string;
  group: string;
  table: string;
  parallelism: number;
  /** `taskset -c` list to pin the JVM to (the ceiling's one core); unpinned when absent. */
  cpus?: string;
};

export type PeerResult = {
  records: number;
  seconds: number;
  rate: number;
  peakRssMb: number;
  cpuMsPerRecord: Record<string, number>;
  /** From the JVM's start to its first record read: not in the window, nor in the CPU per record. */
  startupSeconds: number;
  startupCpuMs: number;
};

// The opens Flink's own launch scripts give a Java 17 JVM (its config's env.java.opts.all).
const OPENS = [
  "java.lang",
  "java.net",
  "java.io",
  "java.nio",
  "sun.nio.ch",
  "java.lang.reflect",
  "java.text",
  "java.time",
  "java.util",
  "java.util.concurrent",
  "java.util.concurrent.atomic",
  "java.util.concurrent.locks",
].map((p) => `--add-opens=java.base/${p}=ALL-UNNAMED`);

/** A `PROGRESS consumed requests acknowledged` line → records done (written, or needing no write). */
export function doneFromProgress(line: string): number | undefined {
  const m = /^PROGRESS (\d+) (\d+) (\d+)$/.exec(line.trim());
  return m === null ? undefined : Number(m[3]) + Number(m[1]) - Number(m[2]);
}

export function startFlink(o: FlinkOptions, bounded: boolean) {
  const args = [
    ...OPENS,
    "-Xmx1g",
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
    "-jar",
    o.jar,
    ...Object.entries({
      brokers: o.brokers,
      topic: o.topic,
      group: o.group,
      endpoint: o.endpoint,
      table: o.table,
      parallelism: String(o.parallelism),
      bounded: String(bounded),
    }).flatMap(([k, v]) => [`--${k}`, v]),
  ];
  // taskset execs java in place: the pid stays the JVM's, whose /proc/<pid>/stat the meter reads.
  const child =
    o.cpus === undefined
      ? spawnTracked("java", args, { stdio: ["ignore", "pipe", "pipe"] })
      : spawnTracked("taskset", ["-c", o.cpus, "java", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const state = { done: 0, consumed: 0, finished: false, firstRecordAt: undefined as number | undefined };
  let text = "";
  let partial = "";
  child.stdout!.on("data", (c: Buffer) => {
    const lines = (partial + c.toString()).split("\n");
    partial = lines.pop()!;
    for (const line of lines) {
      const done = doneFromProgress(line);
      if (done !== undefined) {
        state.done = Math.max(state.done, done);
        state.consumed = Number(line.split(" ")[1]);
        if (state.consumed > 0) state.firstRecordAt ??= performance.now();
      } else if (line === "FINISHED") state.finished = true;
      else text = (text + line + "\n").slice(-100_000);
    }
  });
  child.stderr!.on("data", (c: Buffer) => (text = (text + c.toString()).slice(-100_000)));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    state,
    output: () => text,
    peakRssMb: () =>
      Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? NaN) / 1024,
    async stop(): Promise<number | null> {
      if (child.exitCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    exited,
  };
}

/**
 * Runs the peer over a pre-filled topic as runOurs runs B-ours: from its first record read, `warmup`
 * seconds not counted, then the records done in the next `seconds` (or until all `total` are). The
 * CPU is the JVM's user + system time from /proc (every thread: JIT, GC, Kafka fetchers, Netty).
 */
export async function runFlink(
  o: FlinkOptions,
  total: number,
  warmup: number,
  seconds: number,
  progress: (line: string) => void,
  others: Record<string, number | undefined> = {},
): Promise<PeerResult> {
  const began = performance.now();
  const run = startFlink(o, true);
  try {
    let windowStart: number | undefined;
    let atStart = 0;
    let startupCpuMs = NaN;
    let meter: ReturnType<typeof cpuMeter> | undefined;
    let last = 0;
    let now = performance.now();
    const deadline = began + 120_000;
    while (true) {
      await new Promise((r) => setTimeout(r, 100));
      now = performance.now();
      const { state } = run;
      if (state.firstRecordAt !== undefined && windowStart === undefined) {
        windowStart = state.firstRecordAt + warmup * 1000;
        startupCpuMs = cpuMs(run.child.pid);
      }
      if (windowStart !== undefined && meter === undefined && now >= windowStart) {
        atStart = state.done;
        meter = cpuMeter({ flink: run.child.pid, ...others });
      }
      if (state.finished || state.done >= total) break;
      if (windowStart !== undefined && now >= windowStart + seconds * 1000) break;
      if (run.child.exitCode !== null)
        throw new Error(`Flink exited with ${run.child.exitCode}:\n${run.output()}`);
      if (windowStart === undefined && now > deadline)
        throw new Error(`Flink read no record in 120 s:\n${run.output()}`);
      if (now - last > 2000) {
        last = now;
        progress(`${state.done}/${total} records`);
      }
    }
    if (meter === undefined || windowStart === undefined)
      throw new Error(
        `Flink finished all ${total} records within the ${warmup} s warm-up: use a bigger topic`,
      );
    const records = run.state.done - atStart;
    const elapsed = (now - windowStart) / 1000;
    return {
      records,
      seconds: elapsed,
      rate: records / elapsed,
      peakRssMb: run.child.exitCode === null ? run.peakRssMb() : NaN,
      cpuMsPerRecord: meter.stop(records),
      startupSeconds: (run.state.firstRecordAt! - began) / 1000,
      startupCpuMs,
    };
  } finally {
    await run.stop();
  }
}
