import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import type { Producer } from "kafkajs";
import { backlogStreams, changeStream, produceStream } from "../../../bench/workload.ts";

// An in-memory producer that accepts every send: produceStream's counting, without a broker.
function acceptingProducer(): { producer: Producer; received: () => number } {
  let received = 0;
  const producer = {
    send: ({ messages }: { messages: unknown[] }) => {
      received += messages.length;
      return Promise.resolve([]);
    },
  } as unknown as Producer;
  return { producer, received: () => received };
}

const stream = { records: 2_500, keys: 100, replayRate: 0, deleteRate: 0, seed: 1 };

describe("bench workload: produceStream", () => {
  it("returns how many messages were written when no progress callback is given", async () => {
    const { producer, received } = acceptingProducer();
    const count = await produceStream(producer, "t", changeStream(stream));
    assert.equal(received(), 2_500);
    assert.equal(count, 2_500);
  });

  it("reports the running count to a progress callback", async () => {
    const { producer } = acceptingProducer();
    const seen: number[] = [];
    const count = await produceStream(producer, "t", changeStream(stream), (n) => seen.push(n));
    assert.equal(count, 2_500);
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      [1_000, 2_000, 2_500],
    );
  });
});

describe("bench workload: produceStream and kafkajs's idempotent producer", () => {
  // kafkajs 2.2.4's idempotent producer reads a partition's sequence number when it builds a request
  // and advances it only on the reply, so two sends in flight to one partition carry the same
  // sequence: Kafka 4.4 answered OUT_OF_ORDER_SEQUENCE_NUMBER (code 45, not retriable) to the bench's
  // hot-key topic (16 keys) with 4 sends in flight, and the bench stopped. One send at a time.
  it("never has two sends in flight", async () => {
    let open = 0;
    let most = 0;
    const producer = {
      send: async ({ messages }: { messages: unknown[] }) => {
        most = Math.max(most, ++open);
        await new Promise((r) => setImmediate(r));
        open -= 1;
        return messages.map(() => ({}));
      },
    } as unknown as Producer;
    const count = await produceStream(producer, "t", changeStream({ ...stream, records: 9_000 }));
    assert.equal(count, 9_000);
    assert.equal(most, 1);
  });
});

describe("bench workload: G7's backlogs", () => {
  const key = (m: { key: Buffer }) => m.key.toString("hex");
  const value = (m: { value: Buffer | null }) => m.value?.toString("hex") ?? null;

  it("the small backlog is the big one's first records, message for message", () => {
    const big = { records: 30_000, keys: 20_000, replayRate: 0.04, deleteRate: 0.01, seed: 9 };
    const streams = backlogStreams(big, 10_000);
    const small = [...changeStream(streams.small)];
    const prefix = [...changeStream(streams.big)].slice(0, small.length);
    assert.equal(streams.small.records, 10_000);
    assert.deepEqual(streams.big, big);
    assert.deepEqual(small.map(key), prefix.map(key));
    assert.deepEqual(small.map(value), prefix.map(value));
  });

  it("so records in hand are distinct keys in both, as in the big backlog's windows", () => {
    // MAX_BUFFERED_RECORDS (5 000 by default) records in hand: each a key of its own, a write each.
    const streams = backlogStreams({
      records: 1_000_000,
      keys: 100_000,
      replayRate: 0,
      deleteRate: 0,
      seed: 9,
    });
    const first = [...changeStream(streams.small)].slice(0, 5_000);
    assert.equal(new Set(first.map(key)).size, 5_000);
  });
});
