// B-ours: the product as shipped — the compiled CLI (`dist/app/main.js run`, started as the image's
// ENTRYPOINT starts it, with the image's NODE_OPTIONS) as a child process with its default
// configuration, only the required variables set. Its progress comes from its own /metrics (records with a final outcome), its peak
// RSS from /proc/<pid>/status (VmHWM). Running the TypeScript sources instead would add Node's type
// stripper to every figure (about 30 MB of RSS at idle).

import { execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnTracked } from "./children.ts";
import { cpuMeter } from "./cpu.ts";

export type OursRun = {
  readonly child: ChildProcess;
  /** performance.now() when the member joined its group (from its log). */
  readonly joined: Promise<number>;
  finished(): Promise<number>;
  peakRssMb(): number;
  stop(): Promise<number | null>;
  output(): string;
};

export type OursOptions = {
  productDir: string;
  brokers: string;
  endpoint: string;
  topic: string;
  group: string;
  table: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
  /** A command in front of node (the ceiling's `taskset -c 1`); node's pid stays the child's. */
  wrap?: string[];
};

const TSC = resolve(dirname(fileURLToPath(import.meta.url)), "../node_modules/.bin/tsc");
const built = new Set<string>();

/** Compiles a product checkout into its dist/ (as `npm run build` does), once per run. */
export function buildProduct(productDir: string): void {
  if (built.has(productDir)) return;
  // tsc's messages go to stderr: bench's stdout is its result alone (the tables, or --json's document).
  execFileSync(TSC, ["-p", join(productDir, "tsconfig.build.json")], {
    cwd: productDir,
    stdio: ["ignore", 2, "inherit"],
  });
  built.add(productDir);
}

/** The `ENV NODE_OPTIONS=…` of a checkout's Dockerfile (V8's heap sizes): what the image runs with. */
export function imageNodeOptions(productDir: string): string | undefined {
  const file = join(productDir, "Dockerfile");
  if (!existsSync(file)) return undefined;
  const m = /^ENV NODE_OPTIONS=(?:"([^"]*)"|(\S*))\s*$/m.exec(readFileSync(file, "utf8"));
  return m === null ? undefined : (m[1] ?? m[2]);
}

export function startOurs(o: OursOptions): OursRun {
  buildProduct(o.productDir);
  const nodeOptions = imageNodeOptions(o.productDir);
  const env = {
    PATH: process.env["PATH"] ?? "",
    ...(nodeOptions === undefined ? {} : { NODE_OPTIONS: nodeOptions }),
    KAFKA_BROKERS: o.brokers,
    KAFKA_GROUP_ID: o.group,
    KAFKA_TOPICS: o.topic,
    DYNAMODB_TABLE: o.table,
    DYNAMODB_ENDPOINT: o.endpoint,
    AWS_REGION: "us-east-1",
    HEALTH_PORT: "0", // the only non-default: several runs share the machine
    ...o.env,
  };
  const argv = [...(o.nodeArgs ?? []), "--enable-source-maps", join(o.productDir, "dist/app/main.js"), "run"];
  const [command, ...prefix] = [...(o.wrap ?? []), process.execPath];
  const child = spawnTracked(command, [...prefix, ...argv], { env, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  let port: number | undefined;
  let onJoin: ((t: number) => void) | undefined;
  const joined = new Promise<number>((resolve) => (onJoin = resolve));
  const lines = (chunk: Buffer): void => {
    const s = chunk.toString();
    text = (text + s).slice(-200_000);
    for (const line of s.split("\n")) {
      if (line.includes('"health server listening"')) port = (JSON.parse(line) as { port: number }).port;
      if (line.includes('"joined the consumer group"')) onJoin?.(performance.now());
    }
  };
  child.stdout!.on("data", lines);
  child.stderr!.on("data", lines);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    joined,
    output: () => text,
    async finished() {
      if (port === undefined || child.exitCode !== null) return -1;
      try {
        const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        let n = 0;
        for (const m of body.matchAll(/^cdc_sink_records_total\{[^}]*\} (\d+)$/gm)) n += Number(m[1]);
        return n;
      } catch {
        return -1;
      }
    },
    peakRssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * Runs B-ours over a pre-filled topic: from the group join, `warmup` seconds not counted, then the
 * records that reach a final outcome in the next `seconds` (or until all `total` have).
 */
export type OursResult = {
  records: number;
  seconds: number;
  rate: number;
  peakRssMb: number;
  cpuMsPerRecord: Record<string, number>;
  /** Records with a final outcome over the whole run, warm-up included. */
  allRecords: number;
};

export async function runOurs(
  o: OursOptions,
  total: number,
  warmup: number,
  seconds: number,
  progress: (line: string) => void,
  others: Record<string, number | undefined> = {},
): Promise<OursResult> {
  const run = startOurs(o);
  try {
    const joinedAt = await Promise.race([
      run.joined,
      new Promise<number>((_, reject) =>
        setTimeout(() => reject(new Error(`B-ours did not join in 60 s:\n${run.output()}`)), 60_000),
      ),
    ]);
    const windowStart = joinedAt + warmup * 1000;
    let done = 0;
    let atStart: number | undefined;
    let meter: ReturnType<typeof cpuMeter> | undefined;
    let last = 0;
    let now = performance.now();
    while (done < total && now < windowStart + seconds * 1000) {
      await new Promise((r) => setTimeout(r, 100));
      if (run.child.exitCode !== null)
        throw new Error(`B-ours exited with ${run.child.exitCode}:\n${run.output()}`);
      done = Math.max(done, await run.finished());
      now = performance.now();
      if (atStart === undefined && now >= windowStart) {
        atStart = done;
        meter = cpuMeter({ sink: run.child.pid, ...others });
      }
      if (now - last > 2000) {
        last = now;
        progress(`${done}/${total} records`);
      }
    }
    if (atStart === undefined)
      throw new Error(
        `B-ours finished all ${total} records within the ${warmup} s warm-up: use a bigger topic`,
      );
    const elapsed = (now - windowStart) / 1000;
    return {
      records: done - atStart,
      seconds: elapsed,
      rate: (done - atStart) / elapsed,
      peakRssMb: run.peakRssMb(),
      cpuMsPerRecord: meter!.stop(done - atStart),
      allRecords: done,
    };
  } finally {
    const code = await run.stop();
    if (code !== 0 && code !== 7)
      progress(`B-ours exited with ${code}; last output:\n${run.output().slice(-3000)}`);
  }
}
