// `cdc-sink offsets reset`: shows the plan; applies it only with --execute, and only while the
// group has no members. Replaying is safe by construction (every record comes back duplicate or
// stale: docs/semantics.md); skipping forward loses the skipped records' changes, so the plan
// shows, per partition, how many records would be read again (or skipped, negative).

import {
  committedOffsets,
  groupState,
  offsetsForTime,
  setGroupOffsets,
  topicEnds,
  withAdmin,
} from "../adapters/kafka/admin-queries.ts";
import { offsetArg, parse, partitionArg, timeArg } from "./args.ts";
import { OpsExit, OpsInputError, guarded, json, opsConfig, opsKafka, type Io } from "./context.ts";
import { describeTarget, planTopic, refusal, renderPlan, type ResetTarget } from "./offsets.ts";
import { sinkTopics } from "./topics.ts";

const OPTIONS = {
  "to-time": { type: "string" },
  "to-earliest": { type: "boolean" },
  "to-latest": { type: "boolean" },
  "to-offset": { type: "string" },
  partition: { type: "string" },
  topic: { type: "string", multiple: true },
  group: { type: "string" },
  execute: { type: "boolean" },
  json: { type: "boolean" },
} as const;

function targetOf(v: ReturnType<typeof parse<typeof OPTIONS>>["values"]): ResetTarget {
  const given = [v["to-time"], v["to-earliest"], v["to-latest"], v["to-offset"]].filter(
    (x) => x !== undefined,
  );
  if (given.length !== 1)
    throw new OpsInputError("give exactly one of --to-time, --to-earliest, --to-latest, --to-offset");
  if (v.partition !== undefined && v["to-offset"] === undefined)
    throw new OpsInputError("--partition goes with --to-offset");
  if (v["to-time"] !== undefined) return { kind: "time", ms: timeArg(v["to-time"], "to-time")! };
  if (v["to-earliest"] === true) return { kind: "earliest" };
  if (v["to-latest"] === true) return { kind: "latest" };
  return {
    kind: "offset",
    offset: offsetArg(v["to-offset"], "to-offset")!,
    partition: partitionArg(v.partition),
  };
}

export function offsetsCommand(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  return guarded("offsets", io, async () => {
    const { values: v, positionals } = parse(argv, OPTIONS, true);
    if (positionals.length !== 1 || positionals[0] !== "reset")
      throw new OpsInputError(
        "usage: cdc-sink offsets reset --to-… [--execute] (see cdc-sink offsets --help)",
      );
    const target = targetOf(v);
    const config = opsConfig(env, { table: false, topics: (v.topic ?? []).length === 0 });
    const group = v.group ?? config.kafka.groupId;
    const kafka = opsKafka(config);
    return withAdmin(kafka, config.kafka.brokers, async (admin) => {
      const topics = await sinkTopics(admin, config, v.topic ?? []);
      const rows = [];
      for (const topic of topics) {
        const byTime = target.kind === "time" ? await offsetsForTime(admin, topic, target.ms) : undefined;
        rows.push(
          ...planTopic(
            topic,
            target,
            await topicEnds(admin, topic),
            await committedOffsets(admin, group, topic),
            byTime,
          ),
        );
      }
      const refused = refusal(group, await groupState(admin, group));
      const plan = { group, target: describeTarget(target), executed: false, partitions: rows };
      if (v.execute === true && refused === undefined) {
        for (const topic of topics) {
          const partitions = rows
            .filter((r) => r.topic === topic)
            .map((r) => ({ partition: r.partition, offset: r.target }));
          if (partitions.length > 0) await setGroupOffsets(admin, group, topic, partitions);
        }
        plan.executed = true;
      }
      io.stdout.write(v.json === true ? json({ ...plan, refused: refused ?? null }) : renderPlan(plan));
      if (refused === undefined) return OpsExit.ok;
      if (v.execute !== true) {
        io.stderr.write(`cdc-sink offsets: --execute would be refused now: ${refused}\n`);
        return OpsExit.ok;
      }
      io.stderr.write(`cdc-sink offsets: refused, nothing changed: ${refused}\n`);
      return OpsExit.finding;
    });
  });
}
