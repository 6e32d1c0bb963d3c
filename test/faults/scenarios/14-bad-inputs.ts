import { createHash } from "node:crypto";
import type { Scenario } from "../scenario.ts";
import { SIZES } from "../scenario.ts";
import { makeWorkload, prng } from "../../support/workload.ts";
import { pgEnvelope, pgKey } from "../../support/debezium-records.ts";
import { readTopic } from "../../support/kafka-progress.ts";

/** Ways a record can be unusable, each with the error code the DLQ must name. */
function badRecords(n: number): { key: Buffer | null; value: Buffer; code: string }[] {
  const random = prng(14);
  const out: { key: Buffer | null; value: Buffer; code: string }[] = [];
  for (let i = 0; i < n; i++) {
    const id = 200_000 + i;
    const good = pgEnvelope({ op: "u", id, lsn: 10 + i, row: { name: "x" } });
    const kind = i % 9;
    const mutate = (f: (e: Record<string, unknown>) => void): Buffer => {
      const e = structuredClone(good);
      f(e);
      return Buffer.from(JSON.stringify(e));
    };
    if (kind === 0)
      out.push({ key: pgKey(id), value: Buffer.from('{"op":"u","after":'), code: "undecodable" });
    if (kind === 1)
      out.push({
        key: pgKey(id),
        value: Buffer.from(Array.from({ length: 64 }, () => Math.floor(random() * 256))),
        code: "undecodable",
      });
    if (kind === 2)
      out.push({ key: pgKey(id), value: mutate((e) => delete e["op"]), code: "invalid_envelope" });
    if (kind === 3)
      out.push({ key: pgKey(id), value: mutate((e) => (e["op"] = "x")), code: "invalid_envelope" });
    if (kind === 4)
      out.push({
        key: pgKey(id),
        value: mutate((e) => (e["after"] = "not a row")),
        code: "invalid_envelope",
      });
    if (kind === 5) out.push({ key: null, value: mutate(() => undefined), code: "missing_key" });
    const source = (e: Record<string, unknown>) => e["source"] as Record<string, unknown>;
    if (kind === 6)
      out.push({
        key: pgKey(id),
        value: mutate((e) => (delete source(e)["lsn"], delete source(e)["sequence"])),
        code: "missing_version",
      });
    if (kind === 7)
      out.push({
        key: pgKey(id),
        value: mutate((e) => ((source(e)["lsn"] = "-5"), (source(e)["sequence"] = '["1","-5"]'))),
        code: "missing_version",
      });
    if (kind === 8) out.push({ key: pgKey(id), value: Buffer.from("[]"), code: "invalid_envelope" });
  }
  return out;
}

export const badInputs: Scenario = {
  title: "bad-inputs",
  limitMs: { ci: 180_000, nightly: 900_000 },
  async run(h) {
    const s = SIZES[h.size];
    await h.prepare(s.partitions);
    const w = makeWorkload({ keys: s.keys, changesPerKey: s.changesPerKey, seed: 14 });
    const bad = badRecords(h.size === "ci" ? 90 : 900);
    // A bad record by its key and value as the ledger names them (key text, "?" without a key).
    const id = (key: Buffer | string | null, valueHash: string) => `${key?.toString() ?? "?"}|${valueHash}`;
    const codeOf = new Map(
      bad.map((b) => [id(b.key, createHash("sha256").update(b.value).digest("hex").slice(0, 16)), b.code]),
    );
    // Schema changes: good records with the JsonConverter wrapper and with new columns must apply.
    const mixed: { key: Buffer | null; value: Buffer | null }[] = [];
    const every = Math.max(1, Math.floor(w.messages.length / bad.length));
    w.messages.forEach((m, i) => {
      if (m.value !== null && i % 7 === 0) {
        const env = JSON.parse(m.value.toString().replace(/"lsn":(\d+)/, '"lsn":"$1"')) as Record<
          string,
          unknown
        >;
        if (env["after"] !== null) (env["after"] as Record<string, unknown>)["added_column"] = "new";
        mixed.push({
          key: m.key,
          value: Buffer.from(
            JSON.stringify({ schema: { type: "struct", fields: [] }, payload: env }).replace(
              /"lsn":"(\d+)"/,
              '"lsn":$1',
            ),
          ),
        });
      } else mixed.push(m);
      if (i % every === 0 && bad.length > 0) {
        const b = bad.shift()!;
        mixed.push({ key: b.key, value: b.value });
      }
    });
    const badCount = h.size === "ci" ? 90 : 900;
    mixed.push(...bad.map((b) => ({ key: b.key, value: b.value })));
    const ledger = await h.fill(mixed);
    // Where each bad record sits in the topic: a producer retry may have appended one twice, and
    // each copy is a position of its own that must reach the DLQ.
    const wanted = new Map<string, string>();
    const badInTopic = new Set<string>();
    for (const e of ledger.entries) {
      const code = codeOf.get(id(e.key, e.valueHash));
      if (code === undefined) continue;
      wanted.set(`${e.partition}@${e.offset}`, code);
      badInTopic.add(id(e.key, e.valueHash));
    }
    const wantCodes = [...wanted.values()].sort();
    h.consumer();
    h.consumer();
    await h.waitCaughtUp(150_000);
    for (const c of h.running()) await h.stop(c);
    const dlqSize = (await h.admin.fetchTopicOffsets(h.dlq)).reduce((n, p) => n + Number(p.high), 0);
    const all = await readTopic(h.endpoints.kafkaBrokers, h.dlq, dlqSize, 30_000);
    // The DLQ is at-least-once (a partition replayed after a rebalance publishes its poison again):
    // one entry per source position counts, identified by the __connect.errors.* headers.
    const byPosition = new Map(
      all.map((m) => [
        `${m.headers["__connect.errors.partition"]}@${m.headers["__connect.errors.offset"]}`,
        m,
      ]),
    );
    const dlq = [...byPosition.values()];
    const reasons = dlq.filter(
      (m) =>
        (m.headers["cdc.error.code"] ?? "") !== "" &&
        (m.headers["__connect.errors.exception.message"] ?? "") !== "",
    ).length;
    const exits = h.consumers.map((c) => c.stopped?.code);
    const gotCodes = dlq.map((m) => m.headers["cdc.error.code"] ?? "").sort();
    return {
      faults: `${badCount} bad records of 9 kinds, schema-wrapped records with new columns`,
      checks: [
        [`every bad record in the topic (${badInTopic.size}/${badCount})`, badInTopic.size === badCount],
        [
          `every bad record's position in the DLQ (${dlq.length}/${wanted.size} positions, ${all.length} entries)`,
          dlq.length === wanted.size && [...byPosition.keys()].every((p) => wanted.has(p)),
        ],
        [`every DLQ record carries a reason (${reasons})`, reasons === wanted.size],
        [
          "each bad record dead-lettered with the expected error code",
          JSON.stringify(gotCodes) === JSON.stringify(wantCodes) &&
            [...byPosition].every(([p, m]) => wanted.get(p) === (m.headers["cdc.error.code"] ?? "")),
        ],
        [`0 crashes (exits ${exits.join(",")})`, exits.every((c) => c === 0)],
      ],
    };
  },
};
