import type { Scenario } from "../scenario.ts";
import { SIZES } from "../scenario.ts";
import { makeWorkload } from "../../support/workload.ts";
import { pgKey } from "../../support/debezium-records.ts";
import { readTopic } from "../../support/kafka-progress.ts";

export const poisonMiddle: Scenario = {
  title: "poison-in-the-middle",
  limitMs: { ci: 150_000, nightly: 900_000 },
  async run(h) {
    const s = SIZES[h.size];
    await h.prepare(s.partitions);
    const w = makeWorkload({ keys: s.keys, changesPerKey: s.changesPerKey, seed: 15 });
    const half = Math.floor(w.messages.length / 2);
    const bad = Array.from({ length: s.partitions * 2 }, (_, i) => ({
      key: pgKey(100_000 + i),
      value: Buffer.from(`{"op":"u","after":{"id":${100_000 + i}}`),
    }));
    await h.fill([...w.messages.slice(0, half), ...bad, ...w.messages.slice(half)]);
    h.consumer();
    await h.waitCaughtUp(120_000);
    await h.stop(h.consumers[0]!);
    // The topic may hold a poison record twice (a producer retry); count positions, as the ledger does.
    const poison = h.ledger!.entries.filter((e) => e.op === "poison").length;
    const dlqSize = (await h.admin.fetchTopicOffsets(h.dlq)).reduce((n, p) => n + Number(p.high), 0);
    const positions = new Set(
      (await readTopic(h.endpoints.kafkaBrokers, h.dlq, dlqSize)).map(
        (m) => `${m.headers["__connect.errors.partition"]}@${m.headers["__connect.errors.offset"]}`,
      ),
    );
    const dl = h.consumers[0]!.summary?.dead_lettered;
    return {
      faults: `${bad.length} poison records mid-stream`,
      checks: [
        [
          `all ${poison} poison records dead-lettered (${dl}; DLQ holds ${positions.size} positions)`,
          poison >= bad.length && dl === poison && positions.size === poison,
        ],
      ],
    };
  },
};
