// The demo's change stream, in phases, with the keys whose story the summary shows.

type Message = { key: Buffer; value: Buffer | null };
type Phase = { name: string; messages: Message[] };

let lsn = 9_007_199_254_740_000n; // near 2^53: versions must stay exact past a double's precision

function envelope(op: "c" | "u" | "d", id: number, at: bigint, row: Record<string, unknown> | null): Buffer {
  const value = {
    before: op === "d" ? { id } : null,
    after: row === null ? null : { id, ...row },
    source: {
      connector: "postgresql",
      name: "demo",
      db: "app",
      schema: "public",
      table: "customers",
      ts_ms: Date.now(),
      lsn: "__LSN__",
      sequence: JSON.stringify([String(at - 1n), String(at)]),
    },
    op,
    ts_ms: Date.now(),
  };
  return Buffer.from(JSON.stringify(value).replace('"__LSN__"', at.toString()));
}

const key = (id: number): Buffer => Buffer.from(JSON.stringify({ id }));
const row = (id: number, rev: number) => ({
  name: `Customer ${id}`,
  email: `c${id}.v${rev}@example.com`,
  balance: (id * 7.25 + rev).toFixed(2),
});

export function demoStream(keys: number): { phases: Phase[]; highlights: { id: number; story: string }[] } {
  const inserts: Message[] = [];
  const updates: Message[] = [];
  const late: Message[] = [];
  const saved = new Map<number, Message>();
  const newest: Message[] = [];
  for (let id = 1; id <= keys; id++)
    inserts.push({ key: key(id), value: envelope("c", id, (lsn += 3n), row(id, 1)) });
  for (let id = 1; id <= keys; id++) {
    if (id % 10 === 0) {
      updates.push(
        { key: key(id), value: envelope("d", id, (lsn += 3n), null) },
        { key: key(id), value: null },
      );
    } else if (id % 3 === 0) {
      const older = { key: key(id), value: envelope("u", id, (lsn += 3n), row(id, 2)) };
      saved.set(id, older);
      updates.push(older, { key: key(id), value: envelope("u", id, (lsn += 3n), row(id, 3)) });
    } else {
      const update = { key: key(id), value: envelope("u", id, (lsn += 3n), row(id, 2)) };
      updates.push(update);
      newest.push(update);
    }
  }
  // Replays: a batch of inserts re-sent (duplicates), older versions arriving late (stale), an old
  // update of a deleted row (must not resurrect it), and one poison message.
  late.push(...inserts.slice(0, 200), ...newest.slice(0, 150));
  for (const [, m] of [...saved].slice(0, 100)) late.push(m);
  late.push({ key: key(20), value: envelope("u", 20, 9_007_199_254_740_100n, row(20, 9)) });
  late.push({
    key: key(4242424),
    value: Buffer.from('{"op":"u","after":{"id":4242424}, "source": "truncated'),
  });
  return {
    phases: [
      { name: "snapshot-like inserts", messages: inserts },
      { name: "updates, deletes and Kafka tombstones", messages: updates },
      { name: "replayed batch, late older versions and one poison message", messages: late },
    ],
    highlights: [
      { id: 1, story: "inserted, updated, both replayed" },
      { id: 3, story: "updated twice, the older update replayed late" },
      { id: 20, story: "deleted, then an old update replayed" },
      { id: 4242424, story: "poison message (dead-lettered)" },
    ],
  };
}
