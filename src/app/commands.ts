// The `cdc-sink` commands (loaded by main.ts once the signal catcher is in place). The only reader of
// process.env: parses the configuration once and hands it to the composition root.

import { defaultSignals, onStopSignal } from "./signals.ts";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadConfig, type Config } from "../config/config.ts";
import { ENV_SPEC } from "../config/env-spec.ts";
import { ExitCode, FatalError, ClassifiedError, errorMessage } from "../core/errors.ts";
import { startService, type ServiceHandle } from "./service.ts";
import { INIT_HELP } from "./init-table.ts";
import { createLog } from "../telemetry/log.ts";
import { startTelemetry } from "../telemetry/otel.ts";
import { RECONCILE_HELP } from "../reconcile/help.ts";
import { OPS_HELP } from "../ops/help.ts";

const USAGE = `cdc-sink — replay-safe sink from Debezium CDC topics on Kafka into DynamoDB

Usage:
  cdc-sink run           consume the configured topics and write them to DynamoDB
  cdc-sink init-table    create the DynamoDB table with the sink's or a mapping's key schema (development)
  cdc-sink reconcile     compare a PostgreSQL source table with the sink's items (exit 1 on drift)
  cdc-sink run --dry-run decide every waiting record's outcome against the table; write nothing
  cdc-sink explain       what the sink would do with one record (topic/partition/offset or stdin)
  cdc-sink lag           committed offset, end, lag and oldest uncommitted record per partition
  cdc-sink dlq           list|show|redrive the dead-letter topic (redrive: version-guarded, resumable)
  cdc-sink offsets       reset --to-time|--to-earliest|--to-latest|--to-offset (plan; --execute applies)
  cdc-sink <command> --help

Configuration comes from environment variables (see docs/configuration.md).

Exit codes:
  0 stopped cleanly          1 unexpected error        2 bad configuration or usage
  3 fatal deployment error   4 poison record, no DLQ   5 stuck (watchdog)
  6 Kafka consumer crashed   7 shutdown deadline passed with writes in flight`;

function helpLine(v: (typeof ENV_SPEC)[number]): string {
  const required = "required" in v && v.required ? "(required) " : "";
  const fallback = "default" in v ? `[${v.default}] ` : "";
  return `  ${v.name.padEnd(28)} ${required}${fallback}${v.description}`;
}

const RUN_HELP = `cdc-sink run — consume CDC topics into DynamoDB until SIGTERM/SIGINT

Environment variables:
${ENV_SPEC.map(helpLine).join("\n")}`;

function fail(lines: string[], code: number): never {
  for (const l of lines) process.stderr.write(`cdc-sink: ${l}\n`);
  process.exit(code);
}

function credentials(config: Config): { accessKeyId: string; secretAccessKey: string } | undefined {
  // DynamoDB Local accepts any key; spare local users from inventing one.
  const local =
    config.dynamodb.endpoint !== undefined &&
    /^https?:\/\/(localhost|127\.|\[::1\])/.test(config.dynamodb.endpoint);
  return local && process.env["AWS_ACCESS_KEY_ID"] === undefined
    ? { accessKeyId: "local", secretAccessKey: "local" }
    : undefined;
}

function configFrom(env: NodeJS.ProcessEnv, only?: (name: string) => boolean): Config {
  const filled = { ...env };
  if (only !== undefined) {
    // init-table needs no Kafka settings: fill them with placeholders so only relevant errors show.
    Object.assign(filled, {
      KAFKA_BROKERS: env["KAFKA_BROKERS"] || "unused:9092",
      KAFKA_GROUP_ID: env["KAFKA_GROUP_ID"] || "unused",
      KAFKA_TOPICS: env["KAFKA_TOPICS"] || "unused",
    });
  }
  const result = loadConfig(filled, (p) => readFileSync(p, "utf8"));
  if (!result.ok)
    fail(
      [
        "invalid configuration:",
        ...result.errors.map((e) => `  ${e}`),
        "see `cdc-sink run --help` or docs/configuration.md",
      ],
      ExitCode.badConfig,
    );
  return result.config;
}

async function run(): Promise<number> {
  const config = configFrom(process.env);
  const log = createLog(config.service.logLevel);
  let service: ServiceHandle | undefined;
  let stopRequested: NodeJS.Signals | undefined;
  onStopSignal((signal) => {
    if (service !== undefined) void service.stop(signal);
    else stopRequested ??= signal;
  });
  try {
    service = await startService({
      config,
      log,
      credentials: credentials(config),
      telemetry: await startTelemetry(process.env, log),
    });
  } catch (err) {
    const code = err instanceof FatalError ? err.exitCode : ExitCode.unexpected;
    log.fatal({ code: err instanceof ClassifiedError ? err.code : undefined }, errorMessage(err));
    return code;
  }
  // A stop asked for while starting: leave at once, cleanly (nothing was consumed yet).
  if (stopRequested !== undefined) void service.stop(stopRequested);
  return service.exited;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { help: { type: "boolean", short: "h" } },
  });
  const command = positionals[0];
  if (command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return values.help === true ? ExitCode.ok : ExitCode.badConfig;
  }
  // The operator's commands (src/ops), loaded on demand; a signal ends them at once (nothing to commit).
  const ops = (name: string) => ({
    help: OPS_HELP[name]!,
    action: async () =>
      (defaultSignals(), await import("../ops/command.ts")).opsCommand(
        name,
        argv.slice(argv.indexOf(command) + 1),
        process.env,
        process,
      ),
  });
  const commands: Record<string, { help: string; action: () => Promise<number> }> = {
    run: argv.includes("--dry-run") ? ops("run --dry-run") : { help: RUN_HELP, action: run },
    explain: ops("explain"),
    lag: ops("lag"),
    dlq: ops("dlq"),
    offsets: ops("offsets"),
    "init-table": {
      help: INIT_HELP,
      action: async () => {
        const config = configFrom(process.env, () => true);
        return (await import("./init-table.ts")).initTableCommand(
          config,
          credentials(config),
          argv.slice(argv.indexOf(command) + 1),
          process,
        );
      },
    },
    // Loaded on demand: `run` never needs the PostgreSQL driver.
    reconcile: {
      help: RECONCILE_HELP,
      action: async () =>
        (await import("../reconcile/command.ts")).reconcileCommand(
          argv.slice(argv.indexOf(command) + 1),
          process.env,
          process,
        ),
    },
  };
  const entry = commands[command];
  if (command !== "run") defaultSignals();
  if (entry === undefined) fail([`unknown command ${JSON.stringify(command)}`, USAGE], ExitCode.badConfig);
  if (values.help === true) {
    process.stdout.write(`${entry.help}\n`);
    return ExitCode.ok;
  }
  return entry.action();
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Give pino's stream a tick to flush, then leave even if a stray handle remains.
    setTimeout(() => process.exit(code), 100).unref();
  },
  (err: unknown) => {
    process.stderr.write(
      `cdc-sink: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(ExitCode.unexpected);
  },
);
