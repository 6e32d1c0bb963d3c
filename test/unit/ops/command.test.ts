// The operator commands' contract without a stack: bad arguments and configuration exit 2 with a
// message naming the cause, before any connection; an unreachable Kafka exits 3.

import assert from "node:assert/strict";
import { test } from "node:test";
import { opsCommand } from "../../../src/ops/command.ts";

const ENV = { KAFKA_BROKERS: "127.0.0.1:1", KAFKA_GROUP_ID: "g", KAFKA_TOPICS: "t", AWS_REGION: "us-east-1" };

async function run(name: string, args: string[], env: Record<string, string> = ENV) {
  let out = "";
  let err = "";
  const io = {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t), isTTY: false },
  };
  const code = await opsCommand(name, args, env, io);
  return { code, out, err };
}

test("bad arguments exit 2 with the reason, before any connection", async () => {
  const cases: [string, string[], RegExp][] = [
    ["explain", [], /--topic is required/],
    ["explain", ["--topic", "t"], /give --partition and --offset, or --stdin/],
    ["explain", ["--topic", "t", "--partition", "x", "--offset", "1"], /--partition must be a non-negative/],
    ["offsets", ["reset"], /exactly one of --to-time, --to-earliest, --to-latest, --to-offset/],
    ["offsets", ["reset", "--to-earliest", "--to-latest"], /exactly one of/],
    ["offsets", ["reset", "--to-time", "yesterday"], /--to-time must be an ISO-8601 time/],
    ["offsets", ["reset", "--to-latest", "--partition", "1"], /--partition goes with --to-offset/],
    ["offsets", ["rewind", "--to-latest"], /usage: cdc-sink offsets reset/],
    ["dlq", ["purge"], /usage: cdc-sink dlq list\|show\|redrive/],
    ["dlq", ["list"], /DLQ_TOPIC is not set/],
    ["dlq", ["show", "--offset", "1"], /--partition is required/],
    ["dlq", ["redrive", "--since", "soon"], /--since must be an ISO-8601 time/],
    [
      "run --dry-run",
      ["--dry-run", "--from", "tomorrow"],
      /--from must be committed, earliest or an ISO-8601/,
    ],
    ["lag", ["--bogus"], /Unknown option '--bogus'/],
  ];
  for (const [name, args, message] of cases) {
    const dlq: Record<string, string> = name === "dlq" && args[0] !== "list" ? { DLQ_TOPIC: "d" } : {};
    const r = await run(name, args, { ...ENV, DYNAMODB_TABLE: "tbl", ...dlq });
    assert.equal(r.code, 2, `${name} ${args.join(" ")}: ${r.err}`);
    assert.match(r.err, message);
    assert.equal(r.out, "");
  }
});

test("an invalid configuration names every variable at fault (exit 2)", async () => {
  const r = await run("lag", [], { KAFKA_GROUP_ID: "g" });
  assert.equal(r.code, 2);
  assert.match(r.err, /KAFKA_BROKERS: is required/);
  assert.match(r.err, /KAFKA_TOPICS: set KAFKA_TOPICS or KAFKA_TOPIC_PATTERN/);
});

test("an unreachable Kafka is fatal (exit 3) and names the brokers", async () => {
  const r = await run("lag", []);
  assert.equal(r.code, 3, r.err);
  assert.match(r.err, /cannot reach Kafka at 127\.0\.0\.1:1/);
});
