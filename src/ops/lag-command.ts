// `cdc-sink lag`: committed offsets, log ends and lag per partition of the sink's group, the
// group's state and members, and the age of the first uncommitted record (read from Kafka).

import { committedOffsets, groupState, topicEnds, withAdmin } from "../adapters/kafka/admin-queries.ts";
import { readRanges } from "../adapters/kafka/range-reader.ts";
import { parse } from "./args.ts";
import { OpsExit, ephemeralGroup, guarded, json, opsConfig, opsKafka, type Io } from "./context.ts";
import { firstUncommitted, lagReport, lagRows, renderLag, withAges, type LagRow } from "./lag.ts";
import { sinkTopics } from "./topics.ts";

const OPTIONS = {
  topic: { type: "string", multiple: true },
  group: { type: "string" },
  json: { type: "boolean" },
  "no-age": { type: "boolean" },
} as const;

export function lagCommand(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  return guarded("lag", io, async () => {
    const { values: v } = parse(argv, OPTIONS);
    const config = opsConfig(env, { table: false, topics: (v.topic ?? []).length === 0 });
    const group = v.group ?? config.kafka.groupId;
    const kafka = opsKafka(config);
    const { rows, state } = await withAdmin(kafka, config.kafka.brokers, async (admin) => {
      const rows: LagRow[] = [];
      for (const topic of await sinkTopics(admin, config, v.topic ?? []))
        rows.push(
          ...lagRows(topic, await topicEnds(admin, topic), await committedOffsets(admin, group, topic)),
        );
      return { rows, state: await groupState(admin, group) };
    });
    const timestamps = new Map<string, number>();
    if (v["no-age"] !== true) {
      for (const topic of new Set(rows.map((r) => r.topic))) {
        const ranges = rows
          .filter((r) => r.topic === topic && firstUncommitted(r) !== undefined)
          .map((r) => ({ partition: r.partition, from: firstUncommitted(r)!, to: r.end }));
        if (ranges.length === 0) continue;
        const seen = new Set<number>();
        const groupId = ephemeralGroup(config, "lag");
        const brokers = config.kafka.brokers;
        // One record per partition is enough: the range ends as soon as its first batch arrived.
        const firsts = ranges.map((r) => ({ ...r, to: (BigInt(r.from) + 1n).toString() }));
        await readRanges(kafka, { topic, groupId, brokers, ranges: firsts }, (records) => {
          for (const r of records) {
            if (seen.has(r.partition)) continue;
            seen.add(r.partition);
            timestamps.set(`${topic}/${r.partition}`, Number(r.timestamp));
          }
          return Promise.resolve();
        });
      }
    }
    const report = lagReport(group, state, withAges(rows, timestamps, Date.now()));
    io.stdout.write(v.json === true ? json(report) : renderLag(report));
    return OpsExit.ok;
  });
}
