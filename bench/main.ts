// npm run bench [-- --short] [--regimes L,R] [--product DIR] [--json] (every option: --help)
// npm run bench -- --clients [--short] [--repeat N]   (the Kafka clients side by side: bench/clients/)
// Runs every arm of the benchmark side by side on one local stack and prints the table and the
// goals; the same goes to bench/results/<timestamp>.json (with --json, to stdout too, instead of the
// table). Arms, goals and options: docs/performance.md.

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir, cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stackStatus, startStack, stopStack, type Endpoints } from "../tools/stack/index.ts";
import { DYNOXIDE } from "../tools/stack/dynoxide.ts";
import { createTopic } from "../test/support/kafka.ts";
import { uniqueName } from "../test/support/names.ts";
import { createTable } from "../test/support/dynamo.ts";
import { connectedProducer } from "../test/support/kafka-progress.ts";
import type { ArmRequest, ArmResult } from "./arms.ts";
import { killChildren, spawnTracked } from "./children.ts";
import { focus, medianRun, NOT_RUN } from "./focus.ts";
import { runLatency, type LatencyResult } from "./latency.ts";
import { runOurs } from "./ours.ts";
import { goals, sweepTable, table, type BacklogResult, type Rate, type RegimeResult } from "./report.ts";
import type { StorePoint } from "./store.ts";
import { backlogStreams, changeStream, produceStream, type StreamOptions } from "./workload.ts";
import { wcuPerRecord } from "./wcu.ts";
import { runCeilingOnly, runCeilingArms } from "./ceiling/main.ts";
import { ceilingGoals, ceilingTable } from "./ceiling/report.ts";
import { flinkJar, type FlinkBuild } from "./peers/flink.ts";
import { replayDemo, runPeers } from "./peers/index.ts";
import { peersTable } from "./peers/report.ts";
import { parseCommandLine, printJson } from "../tools/cli/args.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const USAGE = `usage: npm run bench -- [options]
  Runs every arm of the benchmark side by side on one local stack (a fresh one in a temporary folder,
  stopped at the end, or the running one $CDC_SINK_STACK_DIR names), prints the table and the goals,
  and writes the same figures as JSON to bench/results/<timestamp>.json. Arms, goals and options:
  docs/performance.md. The flags are off unless given.
  --short             100 k records, short windows, 5 sweep points (default: 200 k records, 30 s
                      windows, 12 sweep points, a 1 M backlog for G7)
  --regimes LIST      L (the store as it is), R (10 ms away, through bench/delay-proxy.ts) or both
                      (default L,R)
  --only GOALS        only the arms these goals need, e.g. G5,G7 (default: all goals)
  --latency-runs N    runs of the latency arm; its goals are judged on the median run (default 3)
  --product DIR       the checkout B-ours runs (default: this one)
  --candidate DIR     a second checkout run through the same B-ours runs (default: none)
  --ours-env JSON     extra variables for B-ours, for tuning experiments (default {})
  --no-ceiling        leave out the ceiling arms (G10)
  --ceiling-only      only the ceiling arms (G10); JSON in bench/results/ceiling-<timestamp>.json
  --repeats N         runs of each ceiling arm (default 3, 2 with --short)
  --peers             also the Flink peer (G11) and the replay demonstration; builds its jar first
  --clients           the Kafka clients side by side instead (bench/clients/, takes --short and
                      --repeat); JSON in bench/results/clients-<timestamp>.json
  --repeat N          with --clients: repeats of each measurement (default 3)
  --json              the result as JSON on stdout (what bench/results/ gets) instead of the tables;
                      the progress goes to stderr as always
  -h, --help          this text`;

const { values, fail } = parseCommandLine("bench", USAGE, {
  short: { type: "boolean", default: false },
  regimes: { type: "string", default: "L,R" },
  product: { type: "string", default: ROOT },
  "ours-env": { type: "string", default: "{}" },
  candidate: { type: "string" },
  clients: { type: "boolean", default: false },
  repeat: { type: "string", default: "3" },
  only: { type: "string" },
  "latency-runs": { type: "string", default: "3" },
  "ceiling-only": { type: "boolean", default: false },
  "no-ceiling": { type: "boolean", default: false },
  repeats: { type: "string" },
  peers: { type: "boolean", default: false },
});
const count = (option: string, text: string): number =>
  /^[1-9]\d*$/.test(text)
    ? Number(text)
    : fail(`--${option} wants a whole number of at least 1, got ${JSON.stringify(text)}`);
/** `--only G5,G7`: run only the arms those goals need (bench/focus.ts); the others print n/a. */
const only = ((): ReturnType<typeof focus> => {
  try {
    return focus(values.only);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
})();
const latencyRuns = count("latency-runs", values["latency-runs"]);
const repeat = count("repeat", values.repeat);
const repeats = values.repeats === undefined ? undefined : count("repeats", values.repeats);
const regimeNames = values.regimes.split(",");
if (regimeNames.some((r) => r !== "L" && r !== "R"))
  fail(`--regimes takes L, R or L,R; got ${JSON.stringify(values.regimes)}`);
const short = values.short;
/** Extra variables for B-ours, for tuning experiments only: the shipped defaults are what `{}` runs. */
const oursEnv = ((): Record<string, string> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(values["ours-env"]);
  } catch (err) {
    return fail(`--ours-env wants a JSON object of variables: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    return fail(`--ours-env wants a JSON object of variables: got ${values["ours-env"]}`);
  return parsed as Record<string, string>;
})();
const PARTITIONS = 12;
// warmup/window: seconds not counted after a start (JIT, sockets, group join), then seconds counted.
const SIZES = short
  ? {
      records: 100_000,
      keys: 12_500,
      hotRecords: 50_000,
      hotKeys: 16,
      warmup: 3,
      window: 15,
      sweepSeconds: 3,
      storeEntries: 80_000,
      latencySeconds: 15,
      latencyWarmup: 5,
      bigBacklog: 0,
    }
  : {
      records: 200_000,
      keys: 20_000,
      hotRecords: 100_000,
      hotKeys: 16,
      warmup: 5,
      window: 30,
      sweepSeconds: 5,
      storeEntries: 150_000,
      latencySeconds: 30,
      latencyWarmup: 5,
      bigBacklog: 1_000_000,
    };
const SWEEP: StorePoint[] = short
  ? [
      { shape: "put", inFlight: 1, chunk: 1 },
      { shape: "put", inFlight: 64, chunk: 1 },
      { shape: "transact", inFlight: 8, chunk: 50 },
      { shape: "transact", inFlight: 4, chunk: 100 },
      { shape: "partiql", inFlight: 8, chunk: 25 },
    ]
  : [
      ...[1, 8, 32, 128].map((inFlight) => ({ shape: "put" as const, inFlight, chunk: 1 })),
      ...[
        [25, 8],
        [50, 4],
        [50, 8],
        [50, 16],
        [100, 4],
        [100, 8],
      ].map(([chunk, inFlight]) => ({ shape: "transact" as const, inFlight: inFlight!, chunk: chunk! })),
      ...[4, 16].map((inFlight) => ({ shape: "partiql" as const, inFlight, chunk: 25 })),
    ];
const many: StreamOptions = {
  records: SIZES.records,
  keys: SIZES.keys,
  replayRate: 0.04,
  deleteRate: 0.01,
  seed: 7,
};
const hot: StreamOptions = {
  records: SIZES.hotRecords,
  keys: SIZES.hotKeys,
  replayRate: 0.04,
  deleteRate: 0.01,
  seed: 8,
  firstId: 10_000_000,
};

const began = performance.now();
const say = (line: string): void =>
  void process.stderr.write(
    `bench ${((performance.now() - began) / 1000).toFixed(0).padStart(4)} s  ${line}\n`,
  );

/** Starts a stack of our own in a temp dir, or reuses the one CDC_SINK_STACK_DIR names. */
async function stack(): Promise<{ dir: string; endpoints: Endpoints; owned: boolean }> {
  const named = process.env["CDC_SINK_STACK_DIR"];
  if (named && (await stackStatus(named)).up) {
    say(`reusing the stack in ${named}`);
    return { dir: named, endpoints: await startStack({ dir: named }), owned: false };
  }
  const dir = mkdtempSync(join(tmpdir(), "cdc-bench-stack-"));
  say(`starting a stack in ${dir}`);
  return { dir, endpoints: await startStack({ dir, log: (l) => say(`stack: ${l}`) }), owned: true };
}

function versions(dir: string): Record<string, string> {
  const pkg = (name: string): string =>
    (
      JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as {
        version: string;
      }
    ).version;
  const state = JSON.parse(readFileSync(join(dir, "stack.json"), "utf8")) as {
    jars: { kafka?: string };
    dynoxide?: string;
    externalDynamodb?: string;
  };
  const broker =
    readdirSync(state.jars.kafka ?? ".").find((f) => /^kafka_2\.\d+-[\d.]+\.jar$/.test(f)) ?? "unknown";
  return {
    node: process.version,
    awsSdkClientDynamodb: pkg("@aws-sdk/client-dynamodb"),
    kafkajs: pkg("kafkajs"),
    kafkaBroker: broker.replace(/^kafka_[\d.]+-|\.jar$/g, ""),
    store:
      state.externalDynamodb !== undefined
        ? `external ${state.externalDynamodb}`
        : `dynoxide ${DYNOXIDE.version} (${state.dynoxide ?? "unknown"})`,
    cpu: `${cpus()[0]?.model ?? "unknown"} × ${cpus().length}`,
  };
}

function runArm(request: ArmRequest, label: string): Promise<ArmResult> {
  if (request.arm !== "store" && !only.wants(request.arm === "naive" ? "G2" : "G3"))
    return Promise.resolve({ records: 0, seconds: 0, rate: NaN });
  const child = spawnTracked(process.execPath, [join(ROOT, "bench/arms.ts"), JSON.stringify(request)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => {
    err += c.toString();
    for (const line of c.toString().trim().split("\n")) if (line !== "") say(`${label}: ${line}`);
  });
  return new Promise((resolvePromise, reject) =>
    child.once("exit", (code) => {
      const result = /^RESULT (.*)$/m.exec(out)?.[1];
      if (code === 0 && result !== undefined) resolvePromise(JSON.parse(result) as ArmResult);
      else reject(new Error(`${label} exited with ${code}:\n${err.slice(-3000)}`));
    }),
  );
}

async function startProxy(
  target: string,
): Promise<{ endpoint: string; pid: number | undefined; stop(): void }> {
  const child = spawnTracked(process.execPath, [join(ROOT, "bench/delay-proxy.ts"), target, "10"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const endpoint = await new Promise<string>((res, rej) => {
    child.stdout!.once("data", (c: Buffer) =>
      res((JSON.parse(c.toString()) as { endpoint: string }).endpoint),
    );
    child.once("exit", (code) => rej(new Error(`delay proxy exited with ${code}`)));
  });
  return { endpoint, pid: child.pid, stop: () => void child.kill("SIGTERM") };
}

async function newTopic(
  brokers: string,
  prefix: string,
  stream?: Iterable<{ key: Buffer; value: Buffer | null }>,
): Promise<{ topic: string; count: number }> {
  const topic = uniqueName(prefix);
  await createTopic(brokers, topic, PARTITIONS);
  if (stream === undefined) return { topic, count: 0 };
  const producer = await connectedProducer(brokers);
  let last = 0;
  const count = await produceStream(producer, topic, stream, (n) => {
    if (n - last >= 50_000) say(`producing ${topic}: ${(last = n)}`);
  });
  await producer.disconnect();
  say(`produced ${count} messages to ${topic}`);
  return { topic, count };
}

async function newTable(endpoint: string, prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  await createTable(endpoint, name);
  return name;
}

async function regime(
  name: "L" | "R",
  endpoints: Endpoints,
  dynamo: string,
  proxyPid: number | undefined,
  topics: { many: { topic: string; count: number }; hot: { topic: string; count: number } },
): Promise<RegimeResult> {
  const brokers = endpoints.kafkaBrokers;
  const pids = { dynamodb: endpoints.pids.dynamodb, ...(proxyPid === undefined ? {} : { proxy: proxyPid }) };
  const tables = (n: number) =>
    Promise.all(Array.from({ length: n }, () => newTable(endpoints.dynamodbEndpoint, "store")));
  const stream = { ...many, records: SIZES.storeEntries };
  say(`${name}: B-store sweep (${SWEEP.length} points × ${SIZES.sweepSeconds} s after 1 s warm-up)`);
  const sweep = await runArm(
    {
      arm: "store",
      endpoint: dynamo,
      tables: await tables(SWEEP.length),
      stream,
      points: SWEEP,
      seconds: SIZES.sweepSeconds,
      warmup: 1,
      pids,
    },
    `${name} B-store`,
  );
  const points = sweep.points!;
  // PartiQL is swept for information only: its guarded UPDATE does not replace the item as the
  // conditional PutItem does (a dropped column or a tombstone would keep the old attributes), so it
  // is not a write the product may send, and not part of the ceiling.
  const best = points.filter((p) => p.shape !== "partiql").reduce((a, b) => (b.rate > a.rate ? b : a));
  const rttMs = points.find((p) => p.shape === "put" && p.inFlight === 1)!.meanLatencyMs;
  // The best shape again right before and right after B-ours, over the same window: load from other
  // work on a shared machine drifts within minutes, so G1 divides by their mean.
  const confirm = async (when: string) =>
    (
      await runArm(
        {
          arm: "store",
          endpoint: dynamo,
          tables: await tables(1),
          stream,
          points: [best],
          seconds: SIZES.window,
          warmup: SIZES.warmup,
          pids,
        },
        `${name} B-store ${when}`,
      )
    ).points![0]!;
  const ours = (topic: { topic: string; count: number }, label: string, warmup: number, productDir: string) =>
    newTable(endpoints.dynamodbEndpoint, "ours").then((table) =>
      runOurs(
        {
          productDir,
          brokers,
          endpoint: dynamo,
          topic: topic.topic,
          group: uniqueName("ours"),
          table,
          env: oursEnv,
        },
        topic.count,
        warmup,
        SIZES.window,
        (l) => say(`${name} ${label}: ${l}`),
        pids,
      ),
    );
  const before = await confirm("before");
  say(`${name}: B-ours, ${SIZES.warmup} + ${SIZES.window} s of ${topics.many.count} records`);
  const oursMany = await ours(topics.many, "B-ours", SIZES.warmup, values.product);
  const candidateMany =
    values.candidate === undefined
      ? undefined
      : await ours(topics.many, "B-ours candidate", SIZES.warmup, values.candidate);
  const after = await confirm("after");
  const mean = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(Object.keys(a).map((k) => [k, (a[k]! + (b[k] ?? NaN)) / 2]));
  const store = {
    ...best,
    records: before.records + after.records,
    seconds: before.seconds + after.seconds,
    rate: (before.rate + after.rate) / 2,
    cpuMsPerRecord: mean(before.cpuMsPerRecord, after.cpuMsPerRecord),
  };
  say(
    `${name}: B-store ${Math.round(before.rate)} / ${Math.round(after.rate)} records/s around B-ours ` +
      `${Math.round(oursMany.rate)}`,
  );

  if (only.wants("G2")) say(`${name}: B-naive for ${SIZES.window} s`);
  const naive = await runArm(
    {
      arm: "naive",
      brokers,
      topic: topics.many.topic,
      group: uniqueName("naive"),
      endpoint: dynamo,
      table: await newTable(endpoints.dynamodbEndpoint, "naive"),
      total: topics.many.count,
      seconds: SIZES.window,
      warmup: SIZES.warmup,
    },
    `${name} B-naive`,
  );

  const peers =
    flinkBuild === undefined
      ? undefined
      : await runPeers(
          flinkBuild,
          { brokers, endpoint: dynamo, storeEndpoint: endpoints.dynamodbEndpoint, pids },
          topics.many,
          SIZES.warmup,
          SIZES.window,
          (l) => say(`${name} ${l}`),
        );

  const rest = async (productDir: string, label: string) => {
    if (only.wants("G4")) say(`${name}: ${label} hot keys, ${topics.hot.count} records`);
    const oursHot = !only.wants("G4") ? NOT_RUN : await ours(topics.hot, `${label} hot`, 1, productDir);
    const rate = store.rate / 2;
    const runs: LatencyResult[] = [];
    for (let i = 0; i < (only.wants("G5") || only.wants("G6") ? latencyRuns : 0); i++) {
      say(
        `${name}: ${label} latency at ${Math.round(rate)} records/s for ${SIZES.latencyWarmup} s of warm-up + ${SIZES.latencySeconds} s`,
      );
      const topic = (await newTopic(brokers, "latency")).topic;
      const table = await newTable(endpoints.dynamodbEndpoint, "latency");
      const run = await runLatency(
        { productDir, brokers, endpoint: dynamo, topic, group: uniqueName("ours"), table, env: oursEnv },
        endpoints.dynamodbEndpoint,
        rate,
        SIZES.latencySeconds,
        SIZES.latencyWarmup,
      );
      say(
        `${name}: ${label} produce→durable p50 ${run.p50Ms} / p99 ${run.p99Ms} ms (warm-up's p99 ${run.warmupP99Ms} ms)`,
      );
      runs.push(run);
    }
    return { oursHot, latency: medianRun(runs) };
  };
  const shipped = await rest(values.product, "B-ours");
  const candidate =
    candidateMany === undefined
      ? undefined
      : { ours: candidateMany, ...(await rest(values.candidate!, "B-ours candidate")) };
  return {
    regime: name,
    store: { best: store, points: [...points, before, after], rttMs },
    naive,
    ours: oursMany,
    ...shipped,
    ...(candidate === undefined ? {} : { candidate }),
    ...(peers === undefined ? {} : { peers }),
    hotKeys: SIZES.hotKeys,
  };
}

/**
 * G7's second half, per product: peak RSS over a 10 k-record backlog run to its end, against a 1 M
 * backlog run for one warm-up + window (in --short, against the 100 k many-keys run in regime L).
 * The 10 k backlog is the first 10 k records of the big one's stream (backlogStreams). It used to be 10 k records over 2 000 keys: four records in five were coalesced away
 * unwritten, a lighter load in hand than any window of the big backlog, where every record in hand
 * is a distinct key and a write (docs/performance.md, G7).
 */
async function backlog(
  endpoints: Endpoints,
  products: { dir: string; l: Rate | undefined }[],
  manyCount: number,
): Promise<BacklogResult[]> {
  const brokers = endpoints.kafkaBrokers;
  const rss = async (
    dir: string,
    topic: { topic: string; count: number },
    seconds: number,
  ): Promise<number> => {
    const table = await newTable(endpoints.dynamodbEndpoint, "backlog");
    const o = {
      productDir: dir,
      brokers,
      endpoint: endpoints.dynamodbEndpoint,
      topic: topic.topic,
      group: uniqueName("ours"),
      table,
      env: oursEnv,
    };
    return (await runOurs(o, topic.count, 0, seconds, (line) => say(`backlog: ${line}`))).peakRssMb;
  };
  const streams = backlogStreams(
    SIZES.bigBacklog === 0 ? many : { ...many, records: SIZES.bigBacklog, keys: 100_000, seed: 9 },
  );
  const small = await newTopic(brokers, "backlog10k", changeStream(streams.small));
  const big =
    SIZES.bigBacklog === 0 ? undefined : await newTopic(brokers, "backlog1m", changeStream(streams.big));
  const out: BacklogResult[] = [];
  for (const p of products) {
    const smallRssMb = await rss(p.dir, small, 120);
    if (big === undefined)
      out.push({
        smallRecords: small.count,
        smallRssMb,
        bigRecords: manyCount,
        bigRssMb: p.l?.peakRssMb ?? NaN,
      });
    else {
      say(`backlog: ${p.dir} over ${big.count} records for ${SIZES.warmup + SIZES.window} s`);
      out.push({
        smallRecords: small.count,
        smallRssMb,
        bigRecords: big.count,
        bigRssMb: await rss(p.dir, big, SIZES.warmup + SIZES.window),
      });
    }
  }
  return out;
}

if (values.clients) {
  const { runClients } = await import("./clients/run.ts");
  process.exit(await runClients({ short, repeat, json: values.json }, say));
}
/** `--peers`: the Flink peer's jar, built (or found in the cache) before the stack starts. */
const flinkBuild: FlinkBuild | undefined = values.peers
  ? await flinkJar(join(tmpdir(), `cdc-bench-flink-build-${process.pid}.log`), say)
  : undefined;
const { dir, endpoints, owned } = await stack();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    say(`${signal}: stopping the arms${owned ? " and the stack" : ""}`);
    killChildren();
    void (owned ? stopStack(dir) : Promise.resolve()).finally(() => process.exit(130));
  });
}
const ceilingArgs = {
  root: ROOT,
  brokers: endpoints.kafkaBrokers,
  stream: many,
  productDir: values.product,
  oursEnv,
  ...(flinkBuild === undefined ? {} : { flinkJar: flinkBuild.jar }),
  warmup: SIZES.warmup,
  window: Math.min(SIZES.window, 15),
  repeats: repeats ?? (short ? 2 : 3),
  say,
};
if (values["ceiling-only"])
  await runCeilingOnly(ceilingArgs, { dir, owned, versions: versions(dir), json: values.json });
try {
  const env = {
    ...versions(dir),
    mode: short ? "short" : "full",
    product: values.product,
    candidate: values.candidate ?? "none",
    oursEnv: JSON.stringify(oursEnv),
    goals: only.label,
    loadAverageAtStart: loadavg()
      .map((v) => v.toFixed(1))
      .join(" "),
  };
  say(`versions: ${JSON.stringify(env)}`);
  const topics = {
    many: await newTopic(endpoints.kafkaBrokers, "many", changeStream(many)),
    hot: only.wants("G4")
      ? await newTopic(endpoints.kafkaBrokers, "hot", changeStream(hot))
      : { topic: "", count: 0 },
  };
  if (only.wants("G3")) say("B-kafka: consume only");
  const kafka = await runArm(
    {
      arm: "kafka",
      brokers: endpoints.kafkaBrokers,
      topic: topics.many.topic,
      group: uniqueName("kafka"),
      total: topics.many.count,
      seconds: 120,
      warmup: 0,
    },
    "B-kafka",
  );
  const ceiling =
    values["no-ceiling"] || !only.wants("G10") ? undefined : await runCeilingArms(ceilingArgs, topics.many);
  const regimes: RegimeResult[] = [];
  for (const name of regimeNames as ("L" | "R")[]) {
    const proxy = name === "R" ? await startProxy(endpoints.dynamodbEndpoint) : undefined;
    try {
      regimes.push(
        await regime(name, endpoints, proxy?.endpoint ?? endpoints.dynamodbEndpoint, proxy?.pid, topics),
      );
    } finally {
      proxy?.stop();
    }
  }
  const l = regimes.find((r) => r.regime === "L");
  const products = [
    { dir: values.product, l: l?.ours },
    ...(values.candidate === undefined ? [] : [{ dir: values.candidate, l: l?.candidate?.ours }]),
  ];
  const back = only.wants("G7") ? await backlog(endpoints, products, topics.many.count) : [];
  const replay =
    flinkBuild === undefined
      ? undefined
      : await replayDemo(flinkBuild, values.product, endpoints.kafkaBrokers, endpoints.dynamodbEndpoint, say);
  const wcu = wcuPerRecord(many);
  const list = [
    ...goals(regimes, kafka, back, wcu.defaultOnAws),
    ...(ceiling ? ceilingGoals(ceiling) : []),
  ].filter((g) => only.wants(g.id));
  const loadAverageAtEnd = loadavg()
    .map((v) => v.toFixed(1))
    .join(" ");
  const result = {
    env: { ...env, loadAverageAtEnd },
    sizes: SIZES,
    workload: { many, hot },
    topics,
    kafka,
    regimes,
    backlog: back,
    ceiling,
    wcu,
    goals: list,
    ...(flinkBuild === undefined ? {} : { flinkBuild, replay }),
  };
  if (values.json) printJson(result);
  else {
    const text = `${table(regimes, kafka, list)}${ceiling ? `\n\n${ceilingTable(ceiling)}` : ""}`;
    process.stdout.write(
      `\n${text}\n\n${flinkBuild === undefined ? "" : `${peersTable(regimes, flinkBuild, replay)}\n\n`}B-store sweep:\n${sweepTable(regimes)}\n\n${Object.entries(
        env,
      )
        .map(([k, v]) => `${k}: ${v}`)
        .join("\n")}\nload average at end: ${loadAverageAtEnd}\n`,
    );
  }
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  const file = join(ROOT, "bench/results", `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  say(`written ${file}`);
} finally {
  if (owned) {
    say(`stopping the stack in ${dir}`);
    await stopStack(dir);
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
}
process.exit(0);
