// npm test [-- [--kafka 4|3.9] [--kafka-client C] [--group-protocol P] [--json] PATH_PREFIX... |
//   --node-test-option=value ...]   (every option: --help; the command line is run-args.ts)
// Makes sure a full stack (with CDC) is up, then runs node's test runner over test/**/*.test.ts.
// --kafka picks the stack's Kafka line (default 4): it is passed on as CDC_SINK_KAFKA, so the tests
// that start stacks of their own (listeners, faults, MySQL, converge) run that line too. --json: a
// summary as JSON on stdout, the runner's TAP on stderr.
import { spawn } from "node:child_process";
import { existsSync, globSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stackStatus } from "../stack/control.ts";
import { describeError } from "../stack/errors.ts";
import { tail } from "../stack/process.ts";
import { DEFAULT_KAFKA_LINE, KAFKA_LINE_VAR, cacheDir } from "../stack/fetch.ts";
import { describeConfluentBuild, ensureConfluentClient } from "../kafka-client/confluent.ts";
import { startStack, stopStack } from "../stack/stack.ts";
import { printJson } from "../cli/args.ts";
import { ensurePackages } from "./ensure-packages.ts";
import { parseRunArgs } from "./run-args.ts";
import { tapCounts } from "./tap-counts.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const say = (line: string): void => void process.stderr.write(`test: ${line}\n`);
const seconds = (since: number): string => `${((performance.now() - since) / 1000).toFixed(1)} s`;

// kafkajs 2.2.4 arms a negative timer on Node >= 23; the warning is noise here.
process.removeAllListeners("warning");
process.on("warning", (w) => {
  if (w.name !== "TimeoutNegativeWarning") process.stderr.write(`${w.name}: ${w.message}\n`);
});

const args = parseRunArgs(process.argv.slice(2));
if (args.kafka !== undefined) process.env[KAFKA_LINE_VAR] = args.kafka;
// --kafka-client kafkajs|confluent and --group-protocol classic|consumer: the client matrix, passed to
// every sink the tests start (test/support/sink-process.ts) as KAFKA_CLIENT / KAFKA_GROUP_PROTOCOL.
if (args.kafkaClient !== undefined) process.env["CDC_SINK_KAFKA_CLIENT"] = args.kafkaClient;
if (args.groupProtocol !== undefined) process.env["CDC_SINK_KAFKA_GROUP_PROTOCOL"] = args.groupProtocol;
const filters = args.paths.map((a) => relative(ROOT, resolve(a)));
const runnerOptions = args.runnerOptions;
/** What --json's summary tells besides the counts: the stack used and the Kafka release it runs. */
const run = {
  files: 0,
  stack: undefined as { dir: string; owned: boolean; kafkaVersion: string | undefined } | undefined,
  output: "",
};

/**
 * Run only when named (`npm run test:tracing`, which .ci/run runs after `npm test`): they need
 * Jaeger, whose first build with Go takes about 9 minutes on two cores (tools/stack/jaeger.ts).
 */
const ON_REQUEST = "test/tracing/";

function testFiles(): string[] {
  const all = globSync("test/**/*.test.ts", { cwd: ROOT }).sort();
  if (filters.length === 0) return all.filter((file) => !file.startsWith(ON_REQUEST));
  // A filter is a file or a folder: test/unit runs test/unit/**, not test/unit-other/**.
  return all.filter((file) =>
    filters.some((f) => f === "" || file === f || file.startsWith(`${f.replace(/\/$/, "")}/`)),
  );
}

function dumpLogs(dir: string): void {
  const logs = join(dir, "logs");
  if (!existsSync(logs)) return;
  for (const name of readdirSync(logs)) {
    process.stderr.write(`----- last lines of ${join(logs, name)} -----\n${tail(join(logs, name), 30)}\n`);
  }
}

const TEMP_PREFIX = "cdc-sink-stack-";

const running = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Stops stacks that an earlier runner started and could not stop (it was SIGKILLed, or the
 * session ended): their owner.pid names a process that is gone. Others are left alone.
 */
async function sweepAbandoned(): Promise<void> {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(TEMP_PREFIX))) {
    const dir = join(tmpdir(), name);
    const ownerFile = join(dir, "owner.pid");
    if (!existsSync(ownerFile) || running(Number(readFileSync(ownerFile, "utf8")))) continue;
    say(`stopping an abandoned stack in ${dir}`);
    await stopStack(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reuses the stack named by CDC_SINK_STACK_DIR when it is up; otherwise starts one we own. */
async function ensureStack(
  signal: AbortSignal,
  withTracing: boolean,
): Promise<{ dir: string; owned: boolean; kafkaVersion: string | undefined }> {
  ensurePackages(say);
  const named = process.env.CDC_SINK_STACK_DIR;
  if (named && existsSync(join(named, "endpoints.json")) && (await stackStatus(named)).up) {
    say(`reusing the stack in ${named}`);
    // Adds PostgreSQL, Connect and the registry if that stack was started without them.
    const endpoints = await startStack({
      dir: named,
      withCdc: true,
      withRegistry: true,
      withTracing,
      signal,
      log: say,
    });
    return { dir: resolve(named), owned: false, kafkaVersion: endpoints.kafkaVersion };
  }
  if (named) say(`no running stack in ${named} (CDC_SINK_STACK_DIR); starting a fresh one`);
  await sweepAbandoned();
  const dir = mkdtempSync(join(tmpdir(), TEMP_PREFIX));
  writeFileSync(join(dir, "owner.pid"), String(process.pid));
  const began = performance.now();
  say(`starting a stack with CDC in ${dir}`);
  let kafkaVersion: string | undefined;
  try {
    const endpoints = await startStack({
      dir,
      withCdc: true,
      withRegistry: true,
      withTracing,
      signal,
      log: say,
    });
    kafkaVersion = endpoints.kafkaVersion;
    say(`Kafka ${kafkaVersion ?? "?"}`);
  } catch (err) {
    dumpLogs(dir);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  say(`stack up in ${seconds(began)}`);
  return { dir, owned: true, kafkaVersion };
}

/** The folders whose tests talk to the local stack (test/unit and the harness's own tests do not). */
const STACK_FOLDERS = ["test/integration/", "test/e2e/", "test/faults/matrix.test.ts", ON_REQUEST];
const needsStack = (file: string): boolean => STACK_FOLDERS.some((f) => file.startsWith(f));

function runTests(files: string[], dir: string | undefined): Promise<number> {
  // TAP when not on a terminal (CI, pipes): its closing "# pass N" / "# fail N" lines are the summary.
  // With --json, TAP always, read for the summary and passed on to stderr.
  const reporter = process.stdout.isTTY && process.env.CI !== "true" && !args.json ? "spec" : "tap";
  const child = spawn(
    process.execPath,
    [
      "--test",
      "--test-concurrency=2",
      "--test-timeout=600000",
      `--test-reporter=${reporter}`,
      ...runnerOptions,
      ...files,
    ],
    {
      cwd: ROOT,
      stdio: ["inherit", args.json ? "pipe" : "inherit", "inherit"],
      env: {
        ...process.env,
        ...(dir === undefined ? {} : { CDC_SINK_STACK_DIR: dir }),
        // kafkajs 2.2.4 arms a negative timer on Node >= 23; the warning is noise in every test.
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --disable-warning=TimeoutNegativeWarning`.trim(),
      },
    },
  );
  child.stdout?.on("data", (chunk: Buffer) => {
    process.stderr.write(chunk);
    // The counts close the output: its last megabyte holds them.
    run.output = (run.output + chunk.toString()).slice(-1_000_000);
  });
  const forward = (sig: NodeJS.Signals): void => void child.kill(sig);
  process.on("SIGINT", forward).on("SIGTERM", forward);
  return new Promise((done) => {
    child.on("exit", (code, sig) => {
      process.off("SIGINT", forward).off("SIGTERM", forward);
      const result = code ?? (sig ? 130 : 1);
      // With --json, the rest of the piped output (the counts) is read first; a process a test left
      // behind may hold the pipe open, so not for more than 2 s.
      if (child.stdout === null || child.stdout.readableEnded) return done(result);
      const timer = setTimeout(() => done(result), 2000);
      child.stdout.once("end", () => {
        clearTimeout(timer);
        done(result);
      });
    });
  });
}

async function main(): Promise<number> {
  const files = testFiles();
  run.files = files.length;
  // Passed on to every sink the tests start (test/support/sink-process.ts).
  if (process.env["DYNAMODB_WRITE_CLIENT"])
    say(`DYNAMODB_WRITE_CLIENT=${process.env["DYNAMODB_WRITE_CLIENT"]}`);
  if (files.length === 0) {
    say(`no test files match ${filters.join(" ") || "test/**/*.test.ts"}`);
    return 1;
  }
  if (!files.some(needsStack)) {
    // Unit tests and the harness's own tests start nothing: no stack for them.
    const began = performance.now();
    const code = await runTests(files, undefined);
    say(`tests finished in ${seconds(began)} with exit code ${code}`);
    return code;
  }
  if (process.env["CDC_SINK_KAFKA_CLIENT"] === "confluent") {
    const began = performance.now();
    const dir = await ensureConfluentClient(join(cacheDir(), "logs", "kafka-javascript-build.log"), say);
    say(`${describeConfluentBuild(dir)} ready in ${seconds(began)}`);
  }
  const abort = new AbortController();
  const interrupt = (): void => abort.abort(new Error("interrupted while starting the stack"));
  process.on("SIGINT", interrupt).on("SIGTERM", interrupt);
  const stack = await ensureStack(
    abort.signal,
    files.some((file) => file.startsWith(ON_REQUEST)),
  );
  process.off("SIGINT", interrupt).off("SIGTERM", interrupt);
  run.stack = stack;
  let code = 1;
  try {
    const began = performance.now();
    code = await runTests(files, stack.dir);
    say(`tests finished in ${seconds(began)} with exit code ${code}`);
  } finally {
    if (stack.owned) {
      // Even a signal to the runner lands here: the child has exited, so the stack is ours to stop.
      process.on("SIGINT", () => undefined).on("SIGTERM", () => undefined);
      if (code !== 0) dumpLogs(stack.dir);
      await stopStack(stack.dir);
      rmSync(stack.dir, { recursive: true, force: true });
      say("stack stopped");
    }
  }
  return code;
}

/** --json's document: the runner's counts, what ran on which stack, the exit code. */
function summary(exitCode: number, error?: string): object {
  return {
    paths: filters,
    files: run.files,
    kafka: process.env[KAFKA_LINE_VAR] || DEFAULT_KAFKA_LINE,
    kafkaClient: process.env["CDC_SINK_KAFKA_CLIENT"] || "kafkajs",
    groupProtocol: process.env["CDC_SINK_KAFKA_GROUP_PROTOCOL"] || "classic",
    stack: run.stack ?? null,
    ...tapCounts(run.output),
    seconds: Number(((performance.now() - runBegan) / 1000).toFixed(1)),
    exitCode,
    ...(error === undefined ? {} : { error }),
  };
}

const runBegan = performance.now();
main().then(
  (code) => {
    if (args.json) printJson(summary(code));
    process.exit(code);
  },
  (err: unknown) => {
    say(describeError(err));
    if (args.json) printJson(summary(1, describeError(err)));
    process.exit(1);
  },
);
