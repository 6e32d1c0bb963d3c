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

/**
 * JVM flags shared by the Java parts. The heap is capped so three JVMs fit a small CI machine;
 * the log4j file sends everything to stdout, which the stack appends to logs/<part>.log.
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
      "log4j.logger.org.apache.kafka.clients=WARN",
      "log4j.logger.kafka.request.logger=WARN",
      "log4j.logger.org.reflections=ERROR",
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
  ];
}

/** Writes a Java .properties file from a record, in order. */
export function writeProperties(file: string, props: Record<string, string | number | boolean>): void {
  const lines = Object.entries(props).map(([k, v]) => `${k}=${String(v)}`);
  writeFileSync(file, `${lines.join("\n")}\n`);
}
