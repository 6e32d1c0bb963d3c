// npm run test:clients [-- --kafka 4|3.9] [--cells kafkajs,confluent,confluent-kip848] [--json] [PATH...]
// The client matrix: the Kafka-facing tests (integration tests that run sinks or Kafka clients, SASL/SCRAM
// and TLS, the fault scenarios) once per Kafka client and group protocol, each cell a run of
// tools/test/run.ts; prints each cell's pass/fail counts and time. `npm run test:kafka3.9` is its
// kafkajs cell on the Kafka 3.9 line.
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCommandLine } from "../cli/args.ts";
import { DEFAULT_KAFKA_LINE, parseKafkaLine, type KafkaLine } from "../stack/fetch.ts";
import { tapCounts, type TapCounts } from "./tap-counts.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
// A signal stops the running cell (run.ts stops its stack) and every later one.
let interrupted = false;

/** What touches Kafka through the sink's client: each runs in every cell. */
export const KAFKA_FACING = [
  "test/integration/adapters/kafka",
  "test/integration/adapters/schema-registry/avro-sink.test.ts",
  "test/integration/app",
  "test/integration/core",
  "test/integration/ops",
  "test/integration/security",
  "test/integration/telemetry",
  "test/integration/stack/listeners.test.ts",
  "test/faults/matrix.test.ts",
];

type Cell = { name: string; client: "kafkajs" | "confluent"; protocol: "classic" | "consumer" };
const CELLS: Cell[] = [
  { name: "kafkajs", client: "kafkajs", protocol: "classic" },
  { name: "confluent", client: "confluent", protocol: "classic" },
  // KIP-848's consumer protocol is on by default from Kafka 4.0; 3.9 only previews it.
  { name: "confluent-kip848", client: "confluent", protocol: "consumer" },
];
const defaultCells = (line: KafkaLine): string[] =>
  CELLS.filter((c) => line === "4" || c.protocol === "classic").map((c) => c.name);

const USAGE = `usage: npm run test:clients -- [--kafka 4|3.9] [--cells NAME,...] [--json] [PATH...]
  Runs the Kafka-facing tests once per cell (one tools/test/run.ts each, which starts a stack or reuses
  $CDC_SINK_STACK_DIR's) and prints each cell's pass/fail counts and duration; exit 1 if any cell failed.
  --kafka LINE   the Kafka line (default ${DEFAULT_KAFKA_LINE})
  --cells LIST   of ${CELLS.map((c) => c.name).join(", ")} (default: all on 4; the classic ones on 3.9)
  --json         the summary as JSON on stdout (the tests' own output goes to stderr)
  -h, --help     this text
  PATH...        test files or folders instead of the Kafka-facing set:
                 ${KAFKA_FACING.join("\n                 ")}`;

export type CellResult = TapCounts & {
  cell: string;
  line: KafkaLine;
  exitCode: number;
  seconds: number;
  log: string;
};

function runCell(
  line: KafkaLine,
  cell: Cell,
  paths: string[],
  log: string,
  json: boolean,
): Promise<CellResult> {
  const args = [join(ROOT, "tools/test/run.ts"), "--kafka", line, "--kafka-client", cell.client];
  if (cell.protocol === "consumer") args.push("--group-protocol", "consumer");
  const began = performance.now();
  const out = createWriteStream(log);
  let text = "";
  const child = spawn(process.execPath, [...args, ...paths], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const echo = json ? process.stderr : process.stdout;
  for (const stream of [child.stdout, child.stderr]) {
    stream.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      out.write(chunk);
      echo.write(chunk);
    });
  }
  const forward = (sig: NodeJS.Signals): void => {
    interrupted = true;
    child.kill(sig);
  };
  process.on("SIGINT", forward).on("SIGTERM", forward);
  return new Promise((done) => {
    child.on("close", (code, sig) => {
      process.off("SIGINT", forward).off("SIGTERM", forward);
      out.end();
      done({
        cell: cell.name,
        line,
        exitCode: code ?? (sig ? 130 : 1),
        seconds: Math.round((performance.now() - began) / 1000),
        log,
        ...tapCounts(text),
      });
    });
  });
}

async function main(): Promise<number> {
  // A bad option or cell is one line and the usage, exit 2, before any stack starts (tools/cli/args.ts).
  const { values, positionals, fail } = parseCommandLine(
    "matrix",
    USAGE,
    { kafka: { type: "string" }, cells: { type: "string" } },
    { allowPositionals: true },
  );
  let line: KafkaLine;
  try {
    line = parseKafkaLine(values.kafka ?? DEFAULT_KAFKA_LINE);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  const names =
    values.cells === undefined ? defaultCells(line) : values.cells.split(",").filter((n) => n !== "");
  const cells = names.map((name) => {
    const cell = CELLS.find((c) => c.name === name);
    if (cell === undefined)
      return fail(`unknown cell ${JSON.stringify(name)}: one of ${CELLS.map((c) => c.name).join(", ")}`);
    if (cell.protocol === "consumer" && line !== "4")
      return fail(`${name} needs Kafka 4 (KIP-848), not ${line}`);
    return cell;
  });
  if (cells.length === 0) return fail("--cells names no cell");
  const paths = positionals.length > 0 ? positionals : KAFKA_FACING;
  const logs = mkdtempSync(join(tmpdir(), "cdc-sink-matrix-"));
  const results: CellResult[] = [];
  for (const cell of cells) {
    if (interrupted) break;
    process.stderr.write(`matrix: Kafka ${line}, cell ${cell.name}\n`);
    results.push(await runCell(line, cell, paths, join(logs, `${line}-${cell.name}.log`), values.json));
  }
  const failed = results.filter((r) => r.exitCode !== 0 || r.fail > 0 || r.pass === 0);
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ line, paths, cells: results, ok: failed.length === 0 }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(`\nKafka ${line}     pass  fail  skip  cancelled  time    exit  log\n`);
    for (const r of results) {
      process.stdout.write(
        `${r.cell.padEnd(17)} ${String(r.pass).padStart(4)}  ${String(r.fail).padStart(4)}  ` +
          `${String(r.skipped).padStart(4)}  ${String(r.cancelled).padStart(9)}  ` +
          `${`${Math.floor(r.seconds / 60)}m${String(r.seconds % 60).padStart(2, "0")}s`.padEnd(7)} ` +
          `${String(r.exitCode).padStart(4)}  ${r.log}\n`,
      );
    }
  }
  return interrupted ? 130 : failed.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`matrix: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
