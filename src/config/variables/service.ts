// The service: shutdown, health endpoints, logs, telemetry. Part of the one table of variables
// (src/config/env-spec.ts).

import { KEY_MODES, LOG_LEVELS, int, oneOf, text } from "../parsers.ts";
import type { EnvVar } from "../env-spec.ts";

export const SERVICE_VARIABLES = [
  {
    group: "service",
    name: "SHUTDOWN_DEADLINE_MS",
    default: "20000",
    parse: int(0),
    description: "On SIGTERM, how long in-flight writes may take before the final commit and exit.",
  },
  {
    group: "service",
    name: "HEALTH_PORT",
    default: "8080",
    parse: int(0, 65535),
    description: "Port of `/livez`, `/readyz` and `/metrics` (0 = a free port, logged).",
  },
  {
    group: "service",
    name: "HEALTH_HOST",
    default: "0.0.0.0",
    parse: text,
    description: "Address the health server binds.",
  },
  {
    group: "service",
    name: "LOG_LEVEL",
    default: "info",
    parse: oneOf(LOG_LEVELS),
    description: "`fatal`, `error`, `warn`, `info`, `debug` or `trace`.",
  },
  {
    group: "service",
    name: "OTEL_CDC_KEY_MODE",
    default: "hash",
    parse: oneOf(KEY_MODES),
    description:
      "How the Kafka message key appears on spans (`messaging.kafka.message.key`): `hash` (first 16 hex " +
      "of its SHA-256), `raw` (the key text; keys are row ids, may be personal data) or `none`. The " +
      "standard `OTEL_*` variables configure the rest of OpenTelemetry (see docs/telemetry.md).",
  },
] as const satisfies readonly EnvVar[];
