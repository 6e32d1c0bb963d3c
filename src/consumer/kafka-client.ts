// The kafkajs client: brokers, TLS, SASL and a log creator that sends kafkajs's own log lines to
// our logger without their payloads (kafkajs may include broker responses and SASL settings).

import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from "kafkajs";
import type { Config } from "../config/config.ts";
import type { Log } from "../telemetry/log.ts";

const SAFE_FIELDS = ["groupId", "memberId", "topic", "partition", "offset", "broker", "clientId", "retryCount", "retryTime", "error", "generationId", "leaderId", "isLeader", "type", "code"];

export function kafkaLogCreator(log: Log) {
  return (_level: logLevel) => (entry: LogEntry) => {
    const { namespace, level, log: payload } = entry;
    const fields: Record<string, unknown> = { kafkajs: namespace };
    const raw = payload as unknown as Record<string, unknown>;
    for (const f of SAFE_FIELDS) if (raw[f] !== undefined) fields[f] = raw[f];
    const message = String(payload.message ?? "");
    if (level === logLevel.ERROR) log.error(fields, message);
    else if (level === logLevel.WARN) log.warn(fields, message);
    else if (level === logLevel.INFO) log.info(fields, message);
    else log.debug(fields, message);
  };
}

/** `quick`: few, short retries — for start-up checks, which should fail in seconds, clearly. */
export function createKafka(config: Config["kafka"], log: Log, quick = false): Kafka {
  const options: KafkaConfig = {
    clientId: config.clientId,
    brokers: config.brokers,
    logLevel: logLevel.INFO,
    logCreator: kafkaLogCreator(log),
    connectionTimeout: quick ? 3_000 : 10_000,
    requestTimeout: 30_000,
    retry: quick ? { initialRetryTime: 300, retries: 2, maxRetryTime: 2_000 } : { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
  };
  if (config.tls !== undefined) options.ssl = { rejectUnauthorized: true, ...config.tls };
  if (config.sasl !== undefined) options.sasl = { mechanism: config.sasl.mechanism, username: config.sasl.username, password: config.sasl.password } as SASLOptions;
  return new Kafka(options);
}
