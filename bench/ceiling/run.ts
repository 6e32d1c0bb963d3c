// The ceiling arms (goal G10): the sink's own limit, with a store that costs nothing. The responder
// (responder.ts) answers every DynamoDB request at once on core 0; each client arm runs alone on
// core 1 (`taskset -c 1`), so its rate is what one core of the client does, and its CPU per record
// (user + system) is the figure G10 holds:
//   - B-floor: a loop sending the product's conditional PutItem, hand-signed, over node:http (loop.ts);
//   - B-sdk loop: the same loop through the SDK client's send (what a write cost before the direct path);
//   - B-ours: `cdc-sink run` over the many-keys topic, as shipped (direct), and with DYNAMODB_WRITE_CLIENT=sdk;
//   - B-naive: kafkajs eachMessage and one awaited SDK PutItem per message;
//   - B-flink (with `--peers`): the Flink peer (bench/peers/flink.ts), parallelism 1, its JVM pinned
//     to the same core; CPU is every JVM thread's, from the first record read plus the warm-up.
// Each arm runs `repeats` times, interleaved, so that load from other work hits all of them alike.

import { execFileSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ArmResult } from "../arms.ts";
import { spawnTracked } from "../children.ts";
import { runOurs } from "../ours.ts";
import { runFlink } from "../peers/flink.ts";
import type { StreamOptions } from "../workload.ts";
import type { LoopRequest, LoopResult } from "./loop.ts";
import type { ResponderStats } from "./responder.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export type Sample = { rate: number; cpuMsPerRecord: number; cpuMsPerWrite: number };
export type CeilingArm = { samples: Sample[] };
export type CeilingResult = {
  clientCore: string;
  floor: CeilingArm;
  sdkLoop: CeilingArm;
  ours: CeilingArm;
  oursSdk: CeilingArm;
  naive: CeilingArm;
  /** Only with `--peers`. */
  flink?: CeilingArm;
};

export type CeilingOptions = {
  brokers: string;
  topic: { topic: string; count: number };
  stream: StreamOptions;
  productDir: string;
  oursEnv: Record<string, string>;
  /** The Flink peer's jar (`--peers`): adds the B-flink arm. */
  flinkJar?: string;
  warmup: number;
  window: number;
  repeats: number;
  group: (prefix: string) => string;
  say: (line: string) => void;
};

/** Core 1 for the client, core 0 for the responder, when the machine has two cores and taskset. */
function cores(): { client: string[]; responder: string[]; cpus?: string; label: string } {
  try {
    execFileSync("taskset", ["-c", "1", "true"]);
    return {
      client: ["taskset", "-c", "1"],
      responder: ["taskset", "-c", "0"],
      cpus: "1",
      label: "core 1 (taskset)",
    };
  } catch {
    return { client: [], responder: [], label: "not pinned (no taskset or one core)" };
  }
}

function child<T>(wrap: string[], script: string, request: unknown, say: (l: string) => void): Promise<T> {
  const [command, ...prefix] = [...wrap, process.execPath];
  const c = spawnTracked(command, [...prefix, join(ROOT, script), JSON.stringify(request)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  c.stdout!.on("data", (b: Buffer) => (out += b.toString()));
  c.stderr!.on("data", (b: Buffer) => (err += b.toString()));
  return new Promise((res, rej) =>
    c.once("exit", (code) => {
      const result = /^RESULT (.*)$/m.exec(out)?.[1];
      if (code === 0 && result !== undefined) res(JSON.parse(result) as T);
      else {
        say(err.slice(-2000));
        rej(new Error(`${script} exited with ${code}`));
      }
    }),
  );
}

async function startResponder(wrap: string[]) {
  const c = spawnTracked(
    wrap[0] ?? process.execPath,
    [
      ...wrap.slice(1),
      ...(wrap.length > 0 ? [process.execPath] : []),
      join(ROOT, "bench/ceiling/responder.ts"),
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const endpoint = await new Promise<string>((res, rej) => {
    c.stdout!.once("data", (b: Buffer) => res((JSON.parse(b.toString()) as { endpoint: string }).endpoint));
    c.once("exit", (code) => rej(new Error(`responder exited with ${code}`)));
  });
  return {
    endpoint,
    stats: async () => (await (await fetch(`${endpoint}/stats`)).json()) as ResponderStats,
    stop: () => void c.kill("SIGTERM"),
  };
}

export async function runCeiling(o: CeilingOptions): Promise<CeilingResult> {
  const pin = cores();
  const responder = await startResponder(pin.responder);
  const result: CeilingResult = {
    clientCore: pin.label,
    floor: { samples: [] },
    sdkLoop: { samples: [] },
    ours: { samples: [] },
    oursSdk: { samples: [] },
    naive: { samples: [] },
    ...(o.flinkJar === undefined ? {} : { flink: { samples: [] } }),
  };
  const loop = async (arm: LoopRequest["arm"]): Promise<Sample> => {
    const request: LoopRequest = {
      arm,
      endpoint: responder.endpoint,
      stream: { ...o.stream, records: Math.min(o.stream.records, 20_000) },
      inFlight: 64,
      seconds: o.window,
      warmup: o.warmup,
    };
    const r = await child<LoopResult>(pin.client, "bench/ceiling/loop.ts", request, o.say);
    return { rate: r.rate, cpuMsPerRecord: r.cpuMsPerWrite, cpuMsPerWrite: r.cpuMsPerWrite };
  };
  const ours = async (env: Record<string, string>): Promise<Sample> => {
    const before = (await responder.stats()).items;
    const r = await runOurs(
      {
        productDir: o.productDir,
        brokers: o.brokers,
        endpoint: responder.endpoint,
        topic: o.topic.topic,
        group: o.group("ceiling"),
        table: "ceiling",
        env: { ...o.oursEnv, ...env },
        wrap: pin.client,
      },
      o.topic.count,
      o.warmup,
      o.window,
      (l) => o.say(`B-ours ceiling: ${l}`),
    );
    // Written items per record over the whole run: coalesced versions and tombstones are not written.
    const writesPerRecord = ((await responder.stats()).items - before) / Math.max(1, r.allRecords);
    const cpu = r.cpuMsPerRecord["sink"]!;
    return { rate: r.rate, cpuMsPerRecord: cpu, cpuMsPerWrite: cpu / writesPerRecord };
  };
  const naive = async (): Promise<Sample> => {
    const r = await child<ArmResult>(
      pin.client,
      "bench/arms.ts",
      {
        arm: "naive",
        brokers: o.brokers,
        topic: o.topic.topic,
        group: o.group("ceiling-naive"),
        endpoint: responder.endpoint,
        table: "ceiling",
        total: o.topic.count,
        seconds: o.window,
        warmup: o.warmup,
      },
      o.say,
    );
    return { rate: r.rate, cpuMsPerRecord: r.cpuMsPerRecord ?? NaN, cpuMsPerWrite: NaN };
  };
  const flink = async (jar: string): Promise<Sample> => {
    const r = await runFlink(
      {
        jar,
        brokers: o.brokers,
        endpoint: responder.endpoint,
        topic: o.topic.topic,
        group: o.group("ceiling-flink"),
        table: "ceiling",
        parallelism: 1,
        ...(pin.cpus === undefined ? {} : { cpus: pin.cpus }),
      },
      o.topic.count,
      o.warmup,
      o.window,
      (l) => o.say(`B-flink ceiling: ${l}`),
    );
    // Flink's DynamoDbSink writes every record it reads (no coalescing): per record is per write.
    return { rate: r.rate, cpuMsPerRecord: r.cpuMsPerRecord["flink"]!, cpuMsPerWrite: NaN };
  };
  try {
    for (let i = 1; i <= o.repeats; i++) {
      const step = async (name: string, arm: CeilingArm, run: () => Promise<Sample>) => {
        const s = await run();
        arm.samples.push(s);
        o.say(
          `ceiling ${i}/${o.repeats} ${name}: ${Math.round(s.rate)} records/s, ` +
            `${s.cpuMsPerRecord.toFixed(3)} ms CPU per record`,
        );
      };
      await step("B-floor", result.floor, () => loop("floor"));
      await step("B-ours", result.ours, () => ours({ DYNAMODB_WRITE_CLIENT: "direct" }));
      await step("B-ours (sdk)", result.oursSdk, () => ours({ DYNAMODB_WRITE_CLIENT: "sdk" }));
      await step("B-sdk loop", result.sdkLoop, () => loop("sdk"));
      await step("B-naive", result.naive, naive);
      if (o.flinkJar !== undefined && result.flink !== undefined) {
        const jar = o.flinkJar;
        await step("B-flink", result.flink, () => flink(jar));
      }
    }
  } finally {
    responder.stop();
  }
  return result;
}
