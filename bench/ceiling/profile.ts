// Profiles B-ours against the responder: `cdc-sink run` under `node --cpu-prof` on one core over a
// fresh many-keys topic, then prints the top frames by self time (profile-top.ts).
//   CDC_SINK_STACK_DIR=<running stack> node bench/ceiling/profile.ts [--env '{"DYNAMODB_WRITE_CLIENT":"sdk"}']
//     [--seconds 15] [--out DIR] [--json]

import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startStack } from "../../tools/stack/index.ts";
import { createTopic } from "../../test/support/kafka.ts";
import { connectedProducer } from "../../test/support/kafka-progress.ts";
import { uniqueName } from "../../test/support/names.ts";
import { spawnTracked } from "../children.ts";
import { runOurs } from "../ours.ts";
import { changeStream, produceStream } from "../workload.ts";
import { top } from "./profile-top.ts";
import { parseCommandLine, printJson } from "../../tools/cli/args.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const USAGE = `usage: CDC_SINK_STACK_DIR=<running stack> node bench/ceiling/profile.ts [--env JSON] [--seconds N]
         [--out DIR] [--json]
  Runs B-ours (cdc-sink run) under node --cpu-prof on core 1 against the ceiling's responder, over a
  fresh topic of 100 k records, and prints its rate and the top frames by self time.
  --env JSON     extra variables for B-ours (default {})
  --seconds N    the counted window, after 3 s of warm-up (default 15)
  --out DIR      where the .cpuprofile goes, in a folder per run (default /tmp/cdc-ceiling-profile)
  --json         {env, rate, cpuMsPerRecord, profile, top} on stdout instead of the text
  -h, --help     this text`;
const { values, fail } = parseCommandLine("profile", USAGE, {
  env: { type: "string", default: "{}" },
  seconds: { type: "string", default: "15" },
  out: { type: "string", default: "/tmp/cdc-ceiling-profile" },
});
if (process.env["CDC_SINK_STACK_DIR"] === undefined) fail("set CDC_SINK_STACK_DIR to a running stack");
if (!/^[1-9]\d*$/.test(values.seconds))
  fail(`--seconds wants a whole number of at least 1, got ${JSON.stringify(values.seconds)}`);
const oursEnv = ((): Record<string, string> => {
  try {
    return JSON.parse(values.env) as Record<string, string>;
  } catch (err) {
    return fail(`--env wants a JSON object of variables: ${(err as Error).message}`);
  }
})();
const endpoints = await startStack({ dir: process.env["CDC_SINK_STACK_DIR"] });
const responder = spawnTracked(process.execPath, [join(ROOT, "bench/ceiling/responder.ts")], {
  stdio: ["ignore", "pipe", "inherit"],
});
const endpoint = await new Promise<string>((res) =>
  responder.stdout!.once("data", (b: Buffer) =>
    res((JSON.parse(b.toString()) as { endpoint: string }).endpoint),
  ),
);
try {
  const topic = uniqueName("profile");
  await createTopic(endpoints.kafkaBrokers, topic, 12);
  const producer = await connectedProducer(endpoints.kafkaBrokers);
  const stream = { records: 100_000, keys: 12_500, replayRate: 0.04, deleteRate: 0.01, seed: 7 };
  const count = await produceStream(producer, topic, changeStream(stream), () => undefined);
  await producer.disconnect();
  const dir = join(values.out, `${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const r = await runOurs(
    {
      productDir: ROOT,
      brokers: endpoints.kafkaBrokers,
      endpoint,
      topic,
      group: uniqueName("profile"),
      table: "ceiling",
      env: oursEnv,
      nodeArgs: ["--cpu-prof", "--cpu-prof-dir", dir],
      wrap: ["taskset", "-c", "1"],
    },
    count,
    3,
    Number(values.seconds),
    (l) => process.stderr.write(`${l}\n`),
  );
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"))!;
  const t = top(JSON.parse(readFileSync(join(dir, file), "utf8")) as Parameters<typeof top>[0], 25);
  if (values.json) {
    printJson({
      env: oursEnv,
      rate: r.rate,
      cpuMsPerRecord: r.cpuMsPerRecord,
      profile: join(dir, file),
      top: t,
    });
    process.exit(0);
  }
  process.stdout.write(
    `B-ours ${values.env}: ${Math.round(r.rate)} records/s, ${r.cpuMsPerRecord["sink"]!.toFixed(3)} ms CPU per record (profiler on)\n`,
  );
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)} %`;
  process.stdout.write(`${join(dir, file)}\nby package:\n`);
  for (const p of t.packages) process.stdout.write(`${pct(p.share)}  ${p.package}\n`);
  process.stdout.write("top frames (self time):\n");
  for (const f of t.frames) process.stdout.write(`${pct(f.share)}  ${f.frame}\n`);
} finally {
  responder.kill("SIGTERM");
}
process.exit(0);
