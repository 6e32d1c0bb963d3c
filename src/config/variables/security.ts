// Kafka security: TLS and SASL. Part of the one table of variables (src/config/env-spec.ts).

import { SASL_MECHANISMS, bool, oneOf, text } from "../parsers.ts";
import type { EnvVar } from "../env-spec.ts";

export const SECURITY_VARIABLES = [
  {
    group: "security",
    name: "KAFKA_SSL",
    default: "false",
    parse: bool,
    description: "`true` to connect with TLS.",
  },
  {
    group: "security",
    name: "KAFKA_SSL_CA_FILE",
    parse: text,
    description: "PEM file of the CA(s) that signed the brokers' certificates (default: the system's CAs).",
  },
  {
    group: "security",
    name: "KAFKA_SSL_CERT_FILE",
    parse: text,
    description:
      "PEM client certificate for mutual TLS (needs `KAFKA_SSL=true` and `KAFKA_SSL_KEY_FILE`); at start-up " +
      "it must match the key and not have expired (exit 2 otherwise).",
  },
  {
    group: "security",
    name: "KAFKA_SSL_KEY_FILE",
    parse: text,
    description:
      "PEM private key of `KAFKA_SSL_CERT_FILE`, unencrypted (e.g. a Secret's `tls.key` mounted as a file).",
  },
  {
    group: "security",
    name: "KAFKA_SASL_MECHANISM",
    parse: oneOf(SASL_MECHANISMS),
    description:
      "`scram-sha-256`, `scram-sha-512`, `plain` or `aws-msk-iam` (Amazon MSK IAM access control: " +
      "SASL/OAUTHBEARER with a token signed by the AWS default credential chain, IRSA included, for " +
      "`AWS_REGION`; needs `KAFKA_SSL=true` and no user name or password). Unset: no SASL.",
  },
  {
    group: "security",
    name: "KAFKA_SASL_USERNAME",
    parse: text,
    description: "SASL user name (not with `aws-msk-iam`).",
  },
  {
    group: "security",
    name: "KAFKA_SASL_PASSWORD",
    secret: true,
    parse: text,
    description: "SASL password (or use `KAFKA_SASL_PASSWORD_FILE`).",
  },
  {
    group: "security",
    name: "KAFKA_SASL_PASSWORD_FILE",
    parse: text,
    description: "File holding the SASL password (a mounted Secret).",
  },
] as const satisfies readonly EnvVar[];
