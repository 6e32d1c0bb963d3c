// bench/main.ts's entry points for the ceiling arms: inside the full run (after B-kafka, on its
// many-keys topic), or alone with `npm run bench -- --ceiling-only` (a topic of its own, the table
// and G10, the JSON in bench/results/ceiling-<timestamp>.json, and on stdout instead of the table
// with --json; a few minutes).

import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stopStack } from "../../tools/stack/index.ts";
import { createTopic } from "../../test/support/kafka.ts";
import { connectedProducer } from "../../test/support/kafka-progress.ts";
import { uniqueName } from "../../test/support/names.ts";
import { changeStream, produceStream } from "../workload.ts";
import { ceilingGoals, ceilingTable } from "./report.ts";
import { runCeiling, type CeilingOptions, type CeilingResult } from "./run.ts";

/** What the ceiling arms need (run.ts's options) but the topic and group names, which are made here. */
export type CeilingArgs = Omit<CeilingOptions, "topic" | "group"> & { root: string };

export function runCeilingArms(
  a: CeilingArgs,
  topic: { topic: string; count: number },
): Promise<CeilingResult> {
  a.say(`ceiling: the arms against a responder that answers at once, ${a.repeats} runs each (G10)`);
  return runCeiling({ ...a, topic, group: uniqueName });
}

/** The ceiling arms alone; stops an owned stack and exits. */
export async function runCeilingOnly(
  a: CeilingArgs,
  s: { dir: string; owned: boolean; versions: Record<string, string>; json: boolean },
): Promise<never> {
  try {
    const topic = uniqueName("ceiling");
    await createTopic(a.brokers, topic, 12);
    const producer = await connectedProducer(a.brokers);
    const count = await produceStream(producer, topic, changeStream(a.stream), () => undefined);
    await producer.disconnect();
    a.say(`produced ${count} messages to ${topic}`);
    const ceiling = await runCeilingArms(a, { topic, count });
    const goals = ceilingGoals(ceiling);
    const result = { env: s.versions, ceiling, goals };
    if (s.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else
      process.stdout.write(
        `\n${ceilingTable(ceiling)}\n\n${goals
          .map(
            (g) =>
              `${g.id} ${g.what}: ${g.value.toFixed(3)} (target ${g.target}) — ${g.pass ? "pass" : "FAIL"}`,
          )
          .join("\n")}\n\n${Object.entries(s.versions)
          .map(([k, v]) => `${k}: ${v}`)
          .join("\n")}\n`,
      );
    mkdirSync(join(a.root, "bench/results"), { recursive: true });
    const file = join(
      a.root,
      "bench/results",
      `ceiling-${new Date().toISOString().replace(/[:.]/g, "-")}.json`,
    );
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    a.say(`written ${file}`);
  } finally {
    if (s.owned) {
      a.say(`stopping the stack in ${s.dir}`);
      await stopStack(s.dir);
      if (existsSync(s.dir)) rmSync(s.dir, { recursive: true, force: true });
    }
  }
  process.exit(0);
}
