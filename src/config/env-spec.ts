// The service's configuration contract: every environment variable it reads, in one table (kept by
// group in ./variables/), each with the parser of its text. Everything else comes from this list:
// the zod schema and the Config type (src/config/config.ts), `cdc-sink run --help`,
// docs/configuration.md (`npm run docs`) and the Helm chart's values schema
// (tools/deploy/values-schema.ts). A variable cannot be documented in one place and forgotten in
// another.

import type { z } from "zod";
import { KAFKA_VARIABLES } from "./variables/kafka.ts";
import { SECURITY_VARIABLES } from "./variables/security.ts";
import { DYNAMODB_VARIABLES } from "./variables/dynamodb.ts";
import { RECORDS_VARIABLES } from "./variables/records.ts";
import { PROCESSING_VARIABLES } from "./variables/processing.ts";
import { SERVICE_VARIABLES } from "./variables/service.ts";
import { SCHEMA_REGISTRY_VARIABLES } from "./variables/schema-registry.ts";

export type EnvVar = {
  readonly name: string;
  readonly description: string;
  /** Parses the variable's (trimmed, non-empty) text. */
  readonly parse: z.ZodType<unknown, string>;
  /** Default applied when the variable is unset or empty; absent means no default. */
  readonly default?: string;
  /** True when the service refuses to start without it (cross-field rules are in config.ts). */
  readonly required?: boolean;
  /** Never logged, never put on a span; the chart takes it from a Secret. */
  readonly secret?: boolean;
  /** Group heading in docs/configuration.md. */
  readonly group: "kafka" | "security" | "dynamodb" | "records" | "registry" | "processing" | "service";
};

export const ENV_SPEC = [
  ...KAFKA_VARIABLES,
  ...SECURITY_VARIABLES,
  ...DYNAMODB_VARIABLES,
  ...RECORDS_VARIABLES,
  ...SCHEMA_REGISTRY_VARIABLES,
  ...PROCESSING_VARIABLES,
  ...SERVICE_VARIABLES,
] as const satisfies readonly EnvVar[];

export type EnvName = (typeof ENV_SPEC)[number]["name"];
