import assert from "node:assert/strict";
import { test } from "node:test";
import { parseRunArgs } from "../../../../tools/test/run-args.ts";
import {
  assertBadOption,
  assertHelp,
  captureIo as capture,
  exitsWith,
  runCommand,
} from "../../../support/command.ts";

test("npm test's options: the Kafka line, client and protocol, paths, and node's own test options passed on", () => {
  const io = capture().io;
  assert.deepEqual(
    parseRunArgs(["--kafka", "3.9", "test/unit", "--test-name-pattern=lag", "test/e2e/x.test.ts"], io),
    {
      kafka: "3.9",
      kafkaClient: undefined,
      groupProtocol: undefined,
      json: false,
      paths: ["test/unit", "test/e2e/x.test.ts"],
      runnerOptions: ["--test-name-pattern=lag"],
    },
  );
  assert.deepEqual(
    parseRunArgs(
      ["--kafka=4", "--kafka-client", "confluent", "--group-protocol", "consumer", "--json", "a", "b"],
      io,
    ),
    {
      kafka: "4",
      kafkaClient: "confluent",
      groupProtocol: "consumer",
      json: true,
      paths: ["a", "b"],
      runnerOptions: [],
    },
  );
  assert.deepEqual(
    parseRunArgs(
      [
        "--test-only",
        "--test-concurrency=1",
        "--experimental-test-coverage",
        "--inspect",
        "--test-shard=1/2",
      ],
      io,
    ).runnerOptions,
    ["--test-only", "--test-concurrency=1", "--experimental-test-coverage", "--inspect", "--test-shard=1/2"],
  );
  assert.deepEqual(parseRunArgs([], io).paths, []);
});

test("npm test refuses a bad Kafka line, client or protocol, and an option neither it nor node knows: exit 2", () => {
  for (const [args, message] of [
    [["--kafka", "3.8"], /^test: unknown Kafka line "3\.8": one of 4, 3\.9\n/],
    [["--kafka-client", "classic"], /^test: --kafka-client takes kafkajs or confluent, got "classic"\n/],
    [
      ["--group-protocol", "confluent"],
      /^test: --group-protocol takes classic or consumer, got "confluent"\n/,
    ],
    [["--kafka-client"], /^test: Option '--kafka-client <value>' argument missing/],
    [["--bogus", "test/unit"], /^test: Unknown option '--bogus'/],
  ] as const) {
    const c = capture();
    assert.throws(() => parseRunArgs([...args], c.io), exitsWith(2), args.join(" "));
    assert.match(c.err, message);
    assert.match(c.err, /\nusage: npm test /);
  }
});

test("npm test -- --help: the usage, exit 0, no stack started and no test run", async () => {
  const run = await runCommand("tools/test/run.ts", ["--help"]);
  assertHelp(run, /^usage: npm test -- /);
  assert.doesNotMatch(run.stdout, /^# (pass|fail)/m);
});

test("npm test -- --bogus: exit 2 with one line and the usage, no stack started", async () => {
  assertBadOption(await runCommand("tools/test/run.ts", ["--bogus"]), "test");
});
