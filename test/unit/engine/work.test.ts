// The processor's work in flight (src/engine/work.ts): jobs of one key run in order, different keys
// concurrently; a rejected job is a fatal stop; drain waits for the work, or reports the deadline.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Work } from "../../../src/engine/work.ts";

/** A job that records its start and end and finishes when the test says so. */
function held(log: string[], name: string) {
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const job = async () => {
    log.push(`start ${name}`);
    await finished;
    log.push(`end ${name}`);
  };
  return { job, done };
}

const flush = () => new Promise((r) => setImmediate(r));

test("jobs of one key run one after another; another key's job does not wait for them", async () => {
  const work = new Work(() => assert.fail("no job fails"));
  const log: string[] = [];
  const a1 = held(log, "a1");
  const a2 = held(log, "a2");
  const b1 = held(log, "b1");
  work.chain("a", a1.job);
  work.chain("a", a2.job);
  work.chain("b", b1.job);
  await flush();
  assert.deepEqual(log, ["start a1", "start b1"]);
  a1.done();
  await flush();
  assert.deepEqual(log, ["start a1", "start b1", "end a1", "start a2"]);
  a2.done();
  b1.done();
  assert.equal(await work.drain(1000), true);
  assert.equal(work.chains, 0, "a finished chain is forgotten");
});

test("a job that rejects is a fatal stop, and the key's next job still runs", async () => {
  const fatal: Error[] = [];
  const work = new Work((err) => fatal.push(err));
  const ran: string[] = [];
  work.chain("k", () => Promise.reject(new Error("boom")));
  work.chain("k", () => Promise.resolve(void ran.push("next")));
  // A programming error may reject with anything; the stop still gets an Error.
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
  void work.track(Promise.reject("not an Error"));
  assert.equal(await work.drain(1000), true);
  assert.deepEqual(fatal.map((e) => e.message).sort(), ["boom", "not an Error"]);
  assert.deepEqual(ran, ["next"]);
});

test("drain reports false when the work outlasts the deadline, true once it settles", async () => {
  const work = new Work(() => assert.fail("no job fails"));
  const job = held([], "slow");
  work.chain("k", job.job);
  assert.equal(await work.drain(20), false);
  job.done();
  assert.equal(await work.drain(1000), true);
});
