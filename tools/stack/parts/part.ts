import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SpawnSpec } from "../process.ts";
import type { PartName, StackState } from "../state.ts";

/** One process of the stack: how to set it up once, run it, prove it ready, and stop it. */
export type Part = {
  name: PartName;
  /** postgres wants SIGINT (fast shutdown); SIGTERM would wait for Debezium's connection. */
  stopSignal: NodeJS.Signals;
  readyTimeoutMs: number;
  /** Idempotent: writes configs each time, formats storage only the first time. */
  prepare(state: StackState): Promise<void>;
  command(state: StackState): SpawnSpec;
  /** One real round trip; throws while the part is not ready. */
  probe(state: StackState): Promise<void>;
  afterReady?(state: StackState): Promise<void>;
};

/** Loggers kept quieter than INFO, in both logging systems. */
const QUIET: [string, "WARN" | "ERROR"][] = [
  ["org.apache.kafka.clients", "WARN"],
  ["kafka.request.logger", "WARN"],
  ["org.reflections", "ERROR"],
];

/**
 * JVM flags shared by the Java parts. The heap is capped so three JVMs fit a small CI machine;
 * the logging config sends everything to stdout, which the stack appends to logs/<part>.log.
 * Kafka 3.9 logs through reload4j (log4j 1 syntax), Kafka 4 through Log4j 2 (KIP-653): both files
 * are written and each runtime reads its own, with the same "[time] LEVEL message (logger)" lines.
 */
export function javaArgs(dir: string, part: PartName, heap: string): string[] {
  const log4j = join(dir, part, "log4j.properties");
  writeFileSync(
    log4j,
    [
      "log4j.rootLogger=INFO, stdout",
      "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
      "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
      "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n",
      ...QUIET.map(([logger, level]) => `log4j.logger.${logger}=${level}`),
      "",
    ].join("\n"),
  );
  const log4j2 = join(dir, part, "log4j2.properties");
  writeFileSync(
    log4j2,
    [
      "appender.stdout.type=Console",
      "appender.stdout.name=STDOUT",
      "appender.stdout.layout.type=PatternLayout",
      // %d's default (yyyy-MM-dd HH:mm:ss,SSS) as reload4j writes it; fault evidence parses it.
      "appender.stdout.layout.pattern=[%d] %p %m (%c)%n",
      "rootLogger.level=INFO",
      "rootLogger.appenderRef.stdout.ref=STDOUT",
      ...QUIET.flatMap(([logger, level], i) => [
        `logger.q${i}.name=${logger}`,
        `logger.q${i}.level=${level}`,
      ]),
      "",
    ].join("\n"),
  );
  return [
    `-Xms128m`,
    `-Xmx${heap}`,
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
    `-Dlog4j.configuration=file:${log4j}`,
    `-Dlog4j2.configurationFile=${log4j2}`,
  ];
}

/** Writes a Java .properties file from a record, in order. */
export function writeProperties(file: string, props: Record<string, string | number | boolean>): void {
  const lines = Object.entries(props).map(([k, v]) => `${k}=${String(v)}`);
  writeFileSync(file, `${lines.join("\n")}\n`);
}
