// npm test's command line (tools/test/run.ts), apart from run.ts, which starts its work when loaded,
// so that a unit test can read it. Its own options go through tools/cli/args.ts; node's options (its
// test runner's --test-…, and any flag node takes in NODE_OPTIONS) are passed on to `node --test`
// as before, and anything else is refused (exit 2) instead of reaching node after a stack started.
import { parseCommandLine, type Io } from "../cli/args.ts";
import { describeError } from "../stack/errors.ts";
import { DEFAULT_KAFKA_LINE, parseKafkaLine, type KafkaLine } from "../stack/fetch.ts";

export const USAGE = `usage: npm test -- [--kafka 4|3.9] [--kafka-client kafkajs|confluent]
         [--group-protocol classic|consumer] [--json] [--NODE-OPTION[=VALUE]...] [PATH...]
  Makes sure a full stack with CDC is up (a fresh one in a temporary folder, stopped at the end, or
  the running one $CDC_SINK_STACK_DIR names; none when no file needs one), then runs node's test
  runner over the files. Its reporter: spec on a terminal, else TAP, whose "# pass N" / "# fail N"
  close the output. The exit code is the runner's.
  --kafka LINE         the stack's Kafka line, 4 or 3.9, also for the tests that start stacks of
                       their own (CDC_SINK_KAFKA; default $CDC_SINK_KAFKA, else ${DEFAULT_KAFKA_LINE})
  --kafka-client NAME  kafkajs or confluent: every sink the tests start (CDC_SINK_KAFKA_CLIENT;
                       default: the sink's, kafkajs); confluent is built into the cache first
  --group-protocol P   classic or consumer (KIP-848, Kafka 4): every sink the tests start
                       (CDC_SINK_KAFKA_GROUP_PROTOCOL; default: the sink's, classic)
  --json               a summary as JSON on stdout (pass, fail, cancelled, skipped, seconds, the
                       stack and the Kafka line, the exit code); the runner's TAP goes to stderr
  -h, --help           this text
  --NODE-OPTION        passed on to node's test runner: its --test-… options
                       (--test-name-pattern=REGEX, --test-only, --test-concurrency=N, …) and the
                       flags node takes in NODE_OPTIONS (--inspect, …); a value goes after "="
  PATH...              test files or folders (default: every test/**/*.test.ts but test/tracing/,
                       which needs Jaeger: npm run test:tracing)`;

export type RunArgs = {
  kafka: KafkaLine | undefined;
  kafkaClient: "kafkajs" | "confluent" | undefined;
  groupProtocol: "classic" | "consumer" | undefined;
  json: boolean;
  paths: string[];
  runnerOptions: string[];
};

/** One of node's own options: its test runner's, or a flag it takes in NODE_OPTIONS. */
function isNodeOption(arg: string): boolean {
  const name = arg.split("=")[0]!;
  return /^--(experimental-)?test-/.test(name) || process.allowedNodeEnvironmentFlags.has(name);
}

export function parseRunArgs(argv: string[], io?: Io): RunArgs {
  const runnerOptions: string[] = [];
  const ours: string[] = [];
  const end = argv.indexOf("--");
  argv.forEach((arg, i) =>
    (arg.startsWith("-") && (end < 0 || i < end) && isNodeOption(arg) ? runnerOptions : ours).push(arg),
  );
  const { values, positionals, fail } = parseCommandLine(
    "test",
    USAGE,
    {
      kafka: { type: "string" },
      "kafka-client": { type: "string" },
      "group-protocol": { type: "string" },
    },
    { args: ours, allowPositionals: true, ...(io === undefined ? {} : { io }) },
  );
  const oneOf = <T extends string>(
    option: string,
    value: string | undefined,
    allowed: T[],
  ): T | undefined => {
    if (value === undefined || (allowed as string[]).includes(value)) return value as T | undefined;
    return fail(`--${option} takes ${allowed.join(" or ")}, got ${JSON.stringify(value)}`);
  };
  let kafka: KafkaLine | undefined;
  try {
    kafka = values.kafka === undefined ? undefined : parseKafkaLine(values.kafka);
  } catch (err) {
    fail(describeError(err));
  }
  return {
    kafka,
    kafkaClient: oneOf("kafka-client", values["kafka-client"], ["kafkajs", "confluent"]),
    groupProtocol: oneOf("group-protocol", values["group-protocol"], ["classic", "consumer"]),
    json: values.json,
    paths: positionals,
    runnerOptions,
  };
}
