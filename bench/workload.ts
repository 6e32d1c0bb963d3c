// The benchmark's change streams: Debezium-shaped PostgreSQL records of about 1 KB, built with the
// test fixtures' builders. Many keys with several versions each, a few deletes (with Kafka
// tombstones after them), and a few percent replays: exact duplicates of a key's newest record and
// stale re-sends of older ones, as Debezium emits after its own restarts.

import type { Producer } from "kafkajs";
import { pgKey, pgValue, type PgChange } from "../test/support/debezium-records.ts";
import { prng } from "../test/support/workload.ts";

export type Message = { key: Buffer; value: Buffer | null };
export type StreamOptions = {
  records: number;
  keys: number;
  replayRate: number;
  deleteRate: number;
  seed: number;
  table?: string;
  firstId?: number;
};

const WORDS = (
  "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore " +
  "et dolore magna aliqua"
).split(" ");

function text(random: () => number, chars: number): string {
  let out = "";
  while (out.length < chars) out += `${WORDS[Math.floor(random() * WORDS.length)]} `;
  return out.slice(0, chars);
}

function row(random: () => number, id: number, version: number): Record<string, unknown> {
  return {
    name: `customer ${id}`,
    email: `c${id}@example.com`,
    status: random() < 0.9 ? "active" : "suspended",
    balance: Math.floor(random() * 1e8) / 100,
    version,
    updated_at: 1_700_000_000_000 + version * 1000,
    bio: text(random, 520),
  };
}

/**
 * G7's two backlogs: the big one's stream, and its first `smallRecords` records. Only the length
 * differs, so the two runs hold the same kind of records in hand (a distinct key, a write each).
 */
export function backlogStreams(
  big: StreamOptions,
  smallRecords = 10_000,
): { small: StreamOptions; big: StreamOptions } {
  return { small: { ...big, records: Math.min(smallRecords, big.records) }, big };
}

/**
 * `records` messages (tombstones not counted) over `keys` ids, in rounds so each id gets several
 * versions spread through the stream; LSNs grow past 2^53 as real ones do.
 */
export function* changeStream(o: StreamOptions): Generator<Message> {
  const random = prng(o.seed);
  const firstId = o.firstId ?? 0;
  const versions = new Array<number>(o.keys).fill(0);
  const newest = new Map<number, Message>();
  const history: Message[] = [];
  let lsn = 2n ** 53n;
  let emitted = 0;
  while (emitted < o.records) {
    if (history.length > 0 && random() < o.replayRate) {
      // Half exact duplicates of a key's newest record, half stale versions from further back.
      const pick =
        random() < 0.5
          ? newest.get(Math.floor(random() * o.keys))
          : history[Math.floor(random() * history.length)];
      if (pick !== undefined) {
        emitted++;
        yield pick;
        continue;
      }
    }
    const k = emitted % o.keys;
    const id = firstId + k;
    lsn += BigInt(1 + Math.floor(random() * 3));
    const version = versions[k]!++;
    const op: PgChange["op"] = version === 0 ? "c" : random() < o.deleteRate ? "d" : "u";
    const change: PgChange = {
      op,
      id,
      lsn,
      lastCommitLsn: lsn - 1n,
      ...(op === "d" ? {} : { row: row(random, id, version) }),
      ...(o.table === undefined ? {} : { table: o.table }),
    };
    const message = { key: pgKey(id), value: pgValue(change) };
    newest.set(k, message);
    if (history.length < 5000) history.push(message);
    else history[Math.floor(random() * history.length)] = message;
    emitted++;
    yield message;
    if (op === "d") {
      versions[k] = 0; // the next change of this id re-creates it
      yield { key: pgKey(id), value: null };
    }
  }
}

/**
 * Produces a stream one batch at a time; returns how many messages were written. One send at a
 * time because kafkajs 2.2.4's idempotent producer (the fixtures' connectedProducer) reads a
 * partition's sequence number when it builds a request and advances it only on the reply: two sends
 * in flight to one partition carry the same sequence, and Kafka 4.4 refused the second with
 * OUT_OF_ORDER_SEQUENCE_NUMBER (not retriable) on the hot-key topic. Bigger batches keep the pace.
 */
export async function produceStream(
  producer: Producer,
  topic: string,
  stream: Iterable<Message>,
  onProgress?: (n: number) => void,
): Promise<number> {
  let batch: Message[] = [];
  let sent = 0;
  const flush = async (): Promise<void> => {
    const messages = batch;
    batch = [];
    await producer.send({ topic, acks: -1, messages });
    sent += messages.length;
    // Not inside `onProgress?.(…)`: an optional call skips its arguments when there is no callback.
    onProgress?.(sent);
  };
  for (const m of stream) {
    batch.push(m);
    if (batch.length >= 1000) await flush();
  }
  if (batch.length > 0) await flush();
  return sent;
}
