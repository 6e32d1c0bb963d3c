// Record encoding and the schema registry Avro records name (docs/formats/avro.md). Part of the one
// table of variables (src/config/env-spec.ts).

import { int, oneOf, text, url } from "../parsers.ts";
import type { EnvVar } from "../env-spec.ts";

export const RECORD_ENCODINGS = ["json", "avro"] as const;
export type RecordEncoding = (typeof RECORD_ENCODINGS)[number];

export const SCHEMA_REGISTRY_VARIABLES = [
  {
    group: "registry",
    name: "RECORD_ENCODING",
    default: "json",
    parse: oneOf(RECORD_ENCODINGS),
    description:
      "How record keys and values are encoded: `json` (Kafka Connect's JsonConverter, with or without " +
      "schemas) or `avro` (an Avro converter's Confluent wire format; needs `SCHEMA_REGISTRY_URL`). " +
      "A route's `encoding` overrides it per topic.",
  },
  {
    group: "registry",
    name: "SCHEMA_REGISTRY_URL",
    parse: url,
    description:
      "Base URL of a Confluent-compatible schema registry, e.g. `http://registry:8081` or Apicurio's " +
      "`http://apicurio:8080/apis/ccompat/v7`; schemas are fetched by id and cached.",
  },
  {
    group: "registry",
    name: "SCHEMA_REGISTRY_USERNAME",
    parse: text,
    description: "User for the registry's HTTP basic authentication.",
  },
  {
    group: "registry",
    name: "SCHEMA_REGISTRY_PASSWORD",
    secret: true,
    parse: text,
    description: "Password for the registry's HTTP basic authentication.",
  },
  {
    group: "registry",
    name: "SCHEMA_REGISTRY_CA_FILE",
    parse: text,
    description: "PEM file of the CA(s) to trust for an `https` registry (default: the system's).",
  },
  {
    group: "registry",
    name: "SCHEMA_REGISTRY_CERT_FILE",
    parse: text,
    description:
      "PEM client certificate for a registry that wants mutual TLS (with `SCHEMA_REGISTRY_KEY_FILE`).",
  },
  {
    group: "registry",
    name: "SCHEMA_REGISTRY_KEY_FILE",
    parse: text,
    description: "PEM private key of `SCHEMA_REGISTRY_CERT_FILE`.",
  },
  {
    group: "registry",
    name: "SCHEMA_REGISTRY_TIMEOUT_MS",
    default: "10000",
    parse: int(100),
    description: "Time a schema fetch may take before it is retried (with the partition paused).",
  },
] as const satisfies readonly EnvVar[];
