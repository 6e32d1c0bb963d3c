// The composition root of `cdc-sink run`: wires configuration, adapters, the processor, health and
// lifecycle. Nothing below this file reads process.env.

import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Config } from "../config/config.ts";
import { ExitCode, FatalError, ClassifiedError, errorMessage } from "../core/errors.ts";
import { kafkaClients } from "../adapters/kafka/clients.ts";
import { KafkaSource } from "../adapters/kafka/source.ts";
import { KafkaDeadLetter } from "../adapters/kafka/dead-letter.ts";
import { AdaptiveLimiter } from "../engine/limiter.ts";
import { Processor } from "../engine/processor.ts";
import { Stats, summaryLine } from "../engine/stats.ts";
import type { KafkaRecordProducer } from "../engine/ports.ts";
import { sleep } from "../engine/retry.ts";
import { createDynamoClient } from "../adapters/dynamodb/client.ts";
import { wireOf } from "../adapters/dynamodb/wire.ts";
import { checkTombstoneTable } from "../adapters/dynamodb/tombstone-table.ts";
import { checkTable } from "../adapters/dynamodb/table.ts";
import { Targets } from "../config/targets.ts";
import { startHealthServer } from "../adapters/http/health.ts";
import type { Log } from "../telemetry/log.ts";
import { localTelemetry, type Telemetry } from "../telemetry/telemetry.ts";
import { instrumentService, type ServiceTelemetry } from "../telemetry/instrument.ts";
import { checkTopics } from "../adapters/kafka/topics.ts";
import type { SinkHooks } from "../adapters/dynamodb/put-sink.ts";
import { wireTopics } from "./topics.ts";
import { startWatchdog } from "./watchdog.ts";
import { wireGuards } from "./guards.ts";
import { debugState } from "./debug-state.ts";

/** How long the final commit and the group leave may take after the in-flight writes drained. */
const LEAVE_TIMEOUT_MS = 5_000;

export type ServiceOptions = {
  readonly config: Config;
  readonly log: Log;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** For tests and fault tools: sit between the sink and the store. */
  readonly sinkHooks?: SinkHooks;
  /**
   * From startTelemetry (telemetry/otel.ts); the service flushes and stops it when it ends. Default:
   * /metrics only.
   */
  readonly telemetry?: Telemetry;
};

export type ServiceHandle = {
  readonly stats: Stats;
  readonly healthPort: number;
  ready(): boolean;
  /** Graceful stop (SIGTERM): finish in-flight writes, commit, leave the group. Resolves the exit code. */
  stop(reason: string): Promise<number>;
  /** Resolves with the exit code when the service has ended, for any reason. */
  readonly exited: Promise<number>;
};

export async function startService(options: ServiceOptions): Promise<ServiceHandle> {
  const telemetry = instrumentService(
    options.telemetry ?? localTelemetry(),
    options.log,
    options.config.kafka.groupId,
  );
  try {
    return await start(options, telemetry);
  } catch (err) {
    await telemetry.close();
    throw err;
  }
}

async function start(options: ServiceOptions, telemetry: ServiceTelemetry): Promise<ServiceHandle> {
  const { config, log } = options;
  const dynamo: DynamoDBClient = createDynamoClient({
    region: config.dynamodb.region,
    endpoint: config.dynamodb.endpoint,
    requestTimeoutMs: config.dynamodb.requestTimeoutMs,
    maxSockets: config.processing.maxInFlight,
    credentials: options.credentials,
    writeClient: config.dynamodb.writeClient,
  });
  const calls = telemetry.dynamo(dynamo);
  if (calls !== undefined) wireOf(dynamo)?.observe(calls);
  // Every table with the key schema its mappings write (docs/mapping.md); the default layout's
  // tables are checked, and named in messages, as they always were.
  const targets = new Targets(config);
  for (const t of targets.tables()) {
    await checkTable(
      dynamo,
      t.table,
      t.mapped ? t.mapping.keySchema() : config.dynamodb.keyAttribute,
      config.records.ttlAttribute,
    );
    for (const companion of t.tombstoneTables)
      await checkTombstoneTable(
        dynamo,
        t.table,
        companion,
        t.mapping.keySchema(),
        config.records.ttlAttribute,
      );
  }

  const clients = await kafkaClients(config.kafka, log);
  await checkTopics(clients.metadata(true), config.kafka, log);

  let producer: KafkaRecordProducer | undefined;
  if (config.kafka.dlqTopic !== undefined) {
    producer = await clients.producer();
  }

  const topics = wireTopics(config, dynamo, log, options.sinkHooks);

  const stats = new Stats();
  const limiter = new AdaptiveLimiter(config.processing.maxInFlight);
  const guards = wireGuards(config, log);
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  let ending: Promise<number> | undefined;

  // Filled in once the source exists; the processor needs flow control from it and vice versa.
  // eslint-disable-next-line prefer-const -- a forward declaration, assigned once below
  let source!: KafkaSource;
  const onFatal = (err: Error): void => {
    if (ending !== undefined) return;
    const code = err instanceof FatalError ? err.exitCode : ExitCode.unexpected;
    if (err instanceof ClassifiedError)
      log.fatal({ code: err.code, errorClass: err.errorClass }, err.message);
    else log.fatal({ err }, `unexpected error, stopping: ${errorMessage(err)}`);
    ending = end(code, false);
  };
  const processor = new Processor({
    sinkFor: topics.sinkFor,
    decodeOptions: topics.decodeOptions,
    decode: topics.decode,
    prepare: topics.prepare,
    deadLetter:
      producer === undefined
        ? undefined
        : telemetry.deadLetter(
            new KafkaDeadLetter(producer, config.kafka.dlqTopic!, config.kafka.groupId),
            config.kafka.dlqTopic!,
          ),
    poisonPolicy: topics.poisonPolicy,
    limiter,
    breaker: guards.breaker,
    budgetFor: guards.budgetFor,
    backoff: { baseMs: config.processing.retryBaseMs, maxMs: config.processing.retryMaxMs },
    stats,
    maxBuffered: config.processing.maxBuffered,
    flow: { pause: (t, p) => source.pause(t, p), resume: (t, p) => source.resume(t, p) },
    onFatal,
    log,
    observer: telemetry.observer,
  });
  const listener = telemetry.sourceListener;
  source = new KafkaSource(clients.consumer(), clients.metadata(), config.kafka, processor, log, onFatal, {
    onCommit: (points, ms) => listener.onCommit?.(points, ms),
    onCommitError: (points, ms, err) => listener.onCommitError?.(points, ms, err),
    onBatch: (t, p, high, first) => listener.onBatch?.(t, p, high, first),
    onRebalance: () => {
      guards.rebalanced();
      listener.onRebalance?.();
    },
  });

  const ready = (): { ready: boolean; reasons: string[] } => {
    const reasons: string[] = [];
    if (!source.ready) reasons.push("not joined to the consumer group");
    if (watchdog.stuck) reasons.push("no durable progress within STUCK_TIMEOUT_MS");
    reasons.push(...guards.reasons());
    if (ending !== undefined) reasons.push("shutting down");
    return { ready: reasons.length === 0, reasons };
  };
  const health = await startHealthServer(
    {
      live: () => ending === undefined,
      ready,
      metrics: () => telemetry.metricsText(),
      debug: () => debugState(processor, source, limiter, guards.breaker),
    },
    config.service.healthHost,
    config.service.healthPort,
  );
  // Created right after the health server (ready() reads it; nothing runs between the two).
  const watchdog = startWatchdog(
    {
      stalledSince: () => processor.stalledSince(),
      buffered: () => processor.buffered,
      held: () => guards.breaker.open,
    },
    config.processing.stuckTimeoutMs,
    onFatal,
  );
  log.info({ port: health.port }, "health server listening");
  telemetry.observe(stats, {
    inFlight: () => limiter.inFlight,
    limit: () => limiter.limit,
    buffered: () => processor.buffered,
    pausedPartitions: () => processor.pausedPartitions(),
    ready: () => ready().ready,
    breakerOpen: () => guards.breaker.open,
    rebalanceStorm: () => guards.storm.inStorm,
  });

  async function end(code: number, graceful: boolean): Promise<number> {
    watchdog.stop();
    guards.stop();
    processor.stop();
    source.pauseAll();
    let exitCode = code;
    if (graceful) {
      const drained = await processor.drain(config.service.shutdownDeadlineMs);
      if (!drained) {
        log.warn(
          { deadlineMs: config.service.shutdownDeadlineMs },
          "shutdown deadline passed with writes in flight; committing what is durable",
        );
        exitCode = ExitCode.shutdownDeadline;
      }
    } else {
      await processor.drain(Math.min(2000, config.service.shutdownDeadlineMs));
    }
    try {
      // The final commit and the group leave get a bounded time: past it the broker's session
      // timeout removes the member anyway, and the orchestrator's grace period must not run out.
      const left = await Promise.race([
        source.shutdown().then(() => true),
        sleep(LEAVE_TIMEOUT_MS).then(() => false),
      ]);
      if (!left)
        log.warn({ timeoutMs: LEAVE_TIMEOUT_MS }, "leaving the consumer group took too long; exiting anyway");
    } catch (err) {
      log.warn({ err: errorMessage(err) }, "leaving the consumer group failed");
    }
    await producer?.disconnect().catch(() => undefined);
    await health.close();
    dynamo.destroy();
    topics.close();
    log.info(
      { exitCode, counts: stats.total, skipped: Object.fromEntries(stats.skipReasons) },
      `stopped: ${summaryLine(stats.total)}`,
    );
    await telemetry.close();
    resolveExit(exitCode);
    return exitCode;
  }

  try {
    await source.start();
  } catch (err) {
    await health.close();
    await producer?.disconnect().catch(() => undefined);
    topics.close();
    throw err instanceof ClassifiedError
      ? err
      : new FatalError(
          "kafka_start",
          `cannot start the Kafka consumer: ${errorMessage(err)}`,
          ExitCode.fatal,
          { cause: err },
        );
  }
  log.info(
    {
      groupId: config.kafka.groupId,
      kafkaClient: clients.name,
      groupProtocol: config.kafka.groupProtocol,
      topics: config.kafka.topics,
      pattern: config.kafka.topicPattern?.source,
      table: config.dynamodb.table,
      writeClient: config.dynamodb.writeClient,
    },
    "consuming",
  );

  return {
    stats,
    healthPort: health.port,
    ready: () => ready().ready,
    stop: (reason: string) => {
      if (ending === undefined) {
        log.info({ reason }, "stopping");
        ending = end(ExitCode.ok, true);
      }
      return ending;
    },
    exited,
  };
}
