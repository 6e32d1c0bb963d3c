import type { Scenario } from "../scenario.ts";
import { SIZES } from "../scenario.ts";
import { pgKey, pgValue } from "../../support/debezium-records.ts";

export const deletes: Scenario = {
  title: "deletes",
  limitMs: { ci: 150_000, nightly: 900_000 },
  async run(h) {
    const s = SIZES[h.size];
    await h.prepare(s.partitions);
    const messages: { key: Buffer; value: Buffer | null }[] = [];
    let lsn = 1_000n;
    const updates = new Map<number, Buffer>();
    for (let id = 0; id < s.keys; id++) {
      messages.push({
        key: pgKey(id),
        value: pgValue({ op: "c", id, lsn: ++lsn, lastCommitLsn: lsn - 1n, row: { name: `v1-${id}` } }),
      });
      const update = pgValue({ op: "u", id, lsn: ++lsn, lastCommitLsn: lsn - 1n, row: { name: `v2-${id}` } });
      updates.set(id, update);
      messages.push({ key: pgKey(id), value: update });
      messages.push(
        { key: pgKey(id), value: pgValue({ op: "d", id, lsn: ++lsn, lastCommitLsn: lsn - 1n }) },
        { key: pgKey(id), value: null },
      );
    }
    // Then every deleted row's older update again, as a replay after a rebalance would bring it.
    for (const [id, update] of updates) messages.push({ key: pgKey(id), value: update });
    await h.fill(messages);
    h.consumer();
    h.consumer();
    await h.waitCaughtUp(120_000);
    return { faults: `${s.keys} deletes, then their older updates replayed` };
  },
};
