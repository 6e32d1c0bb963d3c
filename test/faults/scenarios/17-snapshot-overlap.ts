import type { Scenario } from "../scenario.ts";
import { SIZES } from "../scenario.ts";
import { pgKey, pgValue } from "../../support/debezium-records.ts";
import { prng } from "../../support/workload.ts";

export const snapshotOverlap: Scenario = {
  title: "snapshot-overlap",
  limitMs: { ci: 150_000, nightly: 900_000 },
  async run(h) {
    const s = SIZES[h.size];
    await h.prepare(s.partitions);
    const random = prng(17);
    const messages: { key: Buffer; value: Buffer | null }[] = [];
    // Snapshot taken at X with the last commit C0; streamed changes committed after it carry a
    // lastCommitLsn >= C0, and some an own LSN below X (their transaction began before the snapshot).
    const C0 = 5_000_000n;
    const X = 5_000_100n;
    for (let id = 0; id < s.keys; id++) {
      const snap = {
        key: pgKey(id),
        value: pgValue({ op: "r", id, lsn: X, lastCommitLsn: C0, row: { name: `snap-${id}` } }),
      };
      const changes = [];
      let commit = C0;
      for (let k = 0; k < 3; k++) {
        commit += BigInt(1 + Math.floor(random() * 50));
        const own = k === 0 && random() < 0.3 ? X - 50n : commit + 200n;
        changes.push({
          key: pgKey(id),
          value: pgValue({
            op: "u",
            id,
            lsn: own,
            lastCommitLsn: commit,
            row: { name: `stream-${id}-${k}` },
          }),
        });
      }
      // The snapshot read lands anywhere among the streamed changes (an incremental snapshot does).
      const at = Math.floor(random() * (changes.length + 1));
      messages.push(...changes.slice(0, at), snap, ...changes.slice(at));
    }
    await h.fill(messages);
    h.consumer();
    h.consumer();
    await h.waitCaughtUp(120_000);
    return { faults: "snapshot reads interleaved with later streamed changes" };
  },
};
