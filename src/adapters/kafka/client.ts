// The kafkajs client: brokers, TLS, SASL and a log creator that sends kafkajs's own log lines to
// our logger without their payloads (kafkajs may include broker responses and SASL settings).

import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from "kafkajs";

/** The kafkajs client, for the operator's commands (src/ops), which read through kafkajs's admin API. */
export type { Kafka };
import type { Config } from "../../config/config.ts";
import type { Log } from "../../telemetry/log.ts";

const SAFE_FIELDS = [
  "groupId",
  "memberId",
  "topic",
  "partition",
  "offset",
  "broker",
  "clientId",
  "retryCount",
  "retryTime",
  "error",
  "generationId",
  "leaderId",
  "isLeader",
  "type",
  "code",
];

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

/** An MSK IAM token for a region: aws-msk-iam-sasl-signer-js's generateAuthToken, or a fake in tests. */
export type MskTokenProvider = (region: string) => Promise<{ token: string; expiryTime?: number }>;

/**
 * The signer (and the AWS SDK credential chain behind it) is loaded only when MSK IAM is used: it
 * is a large module tree that every other deployment would pay for at start-up. Credentials come
 * from the default chain (environment, web identity token of IRSA/EKS Pod Identity, ECS, instance
 * metadata…), so nothing secret is configured on the sink itself.
 */
export const mskSignerToken: MskTokenProvider = async (region) => {
  const { generateAuthToken } = await import("aws-msk-iam-sasl-signer-js");
  return generateAuthToken({ region });
};

/**
 * MSK IAM is SASL/OAUTHBEARER whose bearer token is a SigV4-presigned `kafka-cluster:Connect`
 * request (valid 15 minutes). kafkajs asks the provider on every authentication, including its
 * re-authentication before the broker's session lifetime ends (KIP-368), so a fresh token is
 * signed each time and expiring credentials (IRSA rotates them) are picked up.
 */
export function mskIamSasl(region: string, provider: MskTokenProvider = mskSignerToken): SASLOptions {
  return {
    mechanism: "oauthbearer",
    oauthBearerProvider: async () => ({ value: (await provider(region)).token }),
  };
}

export type KafkaDeps = { mskToken?: MskTokenProvider };

/** The kafkajs options for a config: brokers, retries, TLS and SASL, and the redacting log creator. */
export function kafkaOptions(
  config: Config["kafka"],
  log: Log,
  quick = false,
  deps: KafkaDeps = {},
): KafkaConfig {
  const options: KafkaConfig = {
    clientId: config.clientId,
    brokers: config.brokers,
    logLevel: logLevel.INFO,
    logCreator: kafkaLogCreator(log),
    connectionTimeout: quick ? 3_000 : 10_000,
    requestTimeout: 30_000,
    retry: quick
      ? { initialRetryTime: 300, retries: 2, maxRetryTime: 2_000 }
      : { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
  };
  if (config.tls !== undefined) options.ssl = { rejectUnauthorized: true, ...config.tls };
  const sasl = config.sasl;
  if (sasl?.mechanism === "aws-msk-iam") options.sasl = mskIamSasl(sasl.region, deps.mskToken);
  else if (sasl !== undefined)
    options.sasl = {
      mechanism: sasl.mechanism,
      username: sasl.username,
      password: sasl.password,
    } as SASLOptions;
  return options;
}

/** `quick`: few, short retries — for start-up checks, which should fail in seconds, clearly. */
export function createKafka(config: Config["kafka"], log: Log, quick = false, deps: KafkaDeps = {}): Kafka {
  return new Kafka(kafkaOptions(config, log, quick, deps));
}

/**
 * The consumer's fetch settings, shared with the benchmark's consume-only arm.
 * - maxWaitTimeInMs is the broker's long-poll, and also how long kafkajs sleeps when every partition
 *   is paused (the buffer limit pauses them all): short, so a resume is fetched at once. A stop waits
 *   for it too.
 * - A fetch's records are all in hand before the buffer limit can pause: maxBytes bounds the overshoot.
 */
export function fetchOptions(config: Pick<Config["kafka"], "fetchMaxBytes">): {
  maxWaitTimeInMs: number;
  maxBytes: number;
  maxBytesPerPartition: number;
} {
  return {
    maxWaitTimeInMs: 250,
    maxBytes: config.fetchMaxBytes,
    maxBytesPerPartition: Math.min(1_048_576, config.fetchMaxBytes),
  };
}
