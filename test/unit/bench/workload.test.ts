import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import type { Producer } from "kafkajs";
import { changeStream, produceStream } from "../../../bench/workload.ts";

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

describe("bench workload: produceStream", () => {
  const stream = { records: 2_500, keys: 100, replayRate: 0, deleteRate: 0, seed: 1 };

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
