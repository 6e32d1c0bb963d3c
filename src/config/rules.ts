// Configuration rules across variables and across the mappings in use: each problem names what to
// change. config.ts runs them after every variable parsed on its own.
import { routeFor, type Route } from "./routes.ts";
import { mappingUseProblems, type MappingUse } from "./mapping.ts";
import type { Issue, Values } from "./values.ts";

/** Rules across variables; each issue names the variable to change. */
export function crossFieldRules(c: Values, issue: Issue): void {
  if ((c.KAFKA_TOPICS ?? []).length === 0 && c.KAFKA_TOPIC_PATTERN === undefined)
    issue("KAFKA_TOPICS", "set KAFKA_TOPICS or KAFKA_TOPIC_PATTERN");
  if (c.VERSION_SOURCE === "column" && c.VERSION_COLUMN === undefined)
    issue("VERSION_COLUMN", "is required when VERSION_SOURCE=column");
  // kafkajs speaks the classic group protocol only; librdkafka speaks KIP-848's too.
  if (c.KAFKA_GROUP_PROTOCOL === "consumer" && c.KAFKA_CLIENT !== "confluent")
    issue("KAFKA_GROUP_PROTOCOL", "consumer (KIP-848) needs KAFKA_CLIENT=confluent");
  if (c.KAFKA_CLIENT === "confluent" && c.KAFKA_SASL_MECHANISM === "aws-msk-iam")
    issue("KAFKA_CLIENT", "confluent does not sign MSK IAM tokens here yet: use kafkajs with aws-msk-iam");
  if (c.KAFKA_CLIENT_MODULE !== undefined && c.KAFKA_CLIENT !== "confluent")
    issue("KAFKA_CLIENT_MODULE", "is used only with KAFKA_CLIENT=confluent");
  // A truncate has no row to read a version column from (core/decode.ts truncateOf).
  if (c.VERSION_SOURCE === "column" && c.TRUNCATE_POLICY === "apply")
    issue("TRUNCATE_POLICY", "apply needs the log position: not with VERSION_SOURCE=column");
  if (c.KAFKA_SASL_MECHANISM === "aws-msk-iam") {
    // MSK's IAM listener is TLS-only (port 9098); the signed token must never cross in plaintext.
    if (!c.KAFKA_SSL) issue("KAFKA_SSL", "must be true with KAFKA_SASL_MECHANISM=aws-msk-iam");
    for (const name of ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD", "KAFKA_SASL_PASSWORD_FILE"] as const) {
      if (c[name] !== undefined)
        issue(
          name,
          "is not used with aws-msk-iam (IAM credentials come from the AWS default chain); unset it",
        );
    }
  } else if (c.KAFKA_SASL_MECHANISM !== undefined) {
    if (c.KAFKA_SASL_USERNAME === undefined)
      issue("KAFKA_SASL_USERNAME", `is required with KAFKA_SASL_MECHANISM`);
    if (c.KAFKA_SASL_PASSWORD === undefined && c.KAFKA_SASL_PASSWORD_FILE === undefined)
      issue("KAFKA_SASL_PASSWORD", "or KAFKA_SASL_PASSWORD_FILE is required with KAFKA_SASL_MECHANISM");
  }
  if ((c.KAFKA_SSL_CERT_FILE === undefined) !== (c.KAFKA_SSL_KEY_FILE === undefined))
    issue("KAFKA_SSL_KEY_FILE", "KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together");
  if (!c.KAFKA_SSL && c.KAFKA_SSL_CA_FILE !== undefined)
    issue("KAFKA_SSL_CA_FILE", "is set but KAFKA_SSL is false; set KAFKA_SSL=true");
  // A client certificate without TLS would be dropped silently: the broker would see no identity.
  if (!c.KAFKA_SSL && c.KAFKA_SSL_CERT_FILE !== undefined)
    issue("KAFKA_SSL_CERT_FILE", "is set but KAFKA_SSL is false; set KAFKA_SSL=true");
  if ((c.SCHEMA_REGISTRY_CERT_FILE === undefined) !== (c.SCHEMA_REGISTRY_KEY_FILE === undefined))
    issue("SCHEMA_REGISTRY_KEY_FILE", "SCHEMA_REGISTRY_CERT_FILE and SCHEMA_REGISTRY_KEY_FILE go together");
  if ((c.SCHEMA_REGISTRY_USERNAME === undefined) !== (c.SCHEMA_REGISTRY_PASSWORD === undefined))
    issue("SCHEMA_REGISTRY_PASSWORD", "SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD go together");
  if (c.RETRY_MAX_MS < c.RETRY_BASE_MS) issue("RETRY_MAX_MS", "must be at least RETRY_BASE_MS");
  if (c.BREAKER_PROBE_MAX_MS < c.BREAKER_PROBE_INITIAL_MS)
    issue("BREAKER_PROBE_MAX_MS", "must be at least BREAKER_PROBE_INITIAL_MS");
  if (c.KAFKA_HEARTBEAT_INTERVAL_MS * 3 > c.KAFKA_SESSION_TIMEOUT_MS)
    issue("KAFKA_HEARTBEAT_INTERVAL_MS", "must be at most a third of KAFKA_SESSION_TIMEOUT_MS");
  // The TTL attribute on a tombstone would otherwise overwrite the key or the version guard.
  if (c.TTL_ATTRIBUTE === c.DYNAMODB_KEY_ATTRIBUTE)
    issue("TTL_ATTRIBUTE", "must differ from DYNAMODB_KEY_ATTRIBUTE");
  // One source name for several tables puts their rows under one key space: `orders:[1]` of two
  // tables would overwrite each other. The default (from the envelope's source block) is per table.
  if (
    c.SOURCE_NAME !== undefined &&
    (c.KAFKA_TOPIC_PATTERN !== undefined || (c.KAFKA_TOPICS ?? []).length > 1)
  )
    issue(
      "SOURCE_NAME",
      "applies to every consumed topic, so it needs exactly one topic (use a route per topic)",
    );
}

/** The schema of the whole configuration; `readFile` reads the files some variables name. */

/**
 * The injectivity rules of docs/mapping.md over every mapping in use: ITEM_MAPPING for the topics
 * no route matches (if any can), and each route's own or inherited mapping.
 */
export function mappingProblems(c: Values, routes: readonly Route[]): string[] {
  const unrouted = (c.KAFKA_TOPICS ?? []).filter((t) => routeFor(routes, t) === undefined);
  const fallback = c.ITEM_MAPPING ?? {};
  const uses: MappingUse[] = [];
  if (c.KAFKA_TOPIC_PATTERN !== undefined || unrouted.length > 0)
    uses.push({
      where: "ITEM_MAPPING",
      table: c.DYNAMODB_TABLE,
      spec: fallback,
      manyTopics: c.KAFKA_TOPIC_PATTERN !== undefined || unrouted.length > 1,
    });
  routes.forEach((r, i) =>
    uses.push({
      where: `route ${i + 1} (${r.topic ?? `topicPattern ${r.topicPattern}`})${r.mapping === undefined ? " with ITEM_MAPPING" : ""}`,
      table: r.table ?? c.DYNAMODB_TABLE,
      spec: r.mapping ?? fallback,
      manyTopics: r.topicPattern !== undefined,
    }),
  );
  // TRUNCATE_POLICY=apply finds a source's items by the default key's `<source>:` prefix
  // (adapters/dynamodb/truncate.ts); a key template has no such prefix.
  const truncating: string[] = [];
  if (
    c.TRUNCATE_POLICY === "apply" &&
    uses[0]?.where === "ITEM_MAPPING" &&
    fallback.partitionKey !== undefined
  )
    truncating.push(
      "ITEM_MAPPING: a key template cannot be used with TRUNCATE_POLICY=apply (its items have no <source>: key prefix)",
    );
  routes.forEach((r, i) => {
    if ((r.truncate ?? c.TRUNCATE_POLICY) === "apply" && (r.mapping ?? fallback).partitionKey !== undefined)
      truncating.push(
        `route ${i + 1} (${r.topic ?? `topicPattern ${r.topicPattern}`}): a key template cannot be used with truncate apply (its items have no <source>: key prefix)`,
      );
  });
  return [
    ...mappingUseProblems(uses, c.DYNAMODB_KEY_ATTRIBUTE, c.TTL_ATTRIBUTE),
    ...truncating,
    ...hardDeleteProblems(c, routes, uses),
  ];
}

/**
 * `deletes: "hard"` (docs/mapping.md#hard-deletes): truncate apply tombstones the items it finds,
 * but a hard-deleted row has no item to find, and its companion tombstone would stay older than the
 * truncate — so the two are refused together; and the companion must be another table.
 */
function hardDeleteProblems(c: Values, routes: readonly Route[], uses: readonly MappingUse[]): string[] {
  // `uses` holds ITEM_MAPPING's use (when a topic can fall through the routes), then one per route.
  const offset = uses[0]?.where === "ITEM_MAPPING" ? 1 : 0;
  const checked = [
    ...(offset === 1 ? [{ use: uses[0], truncate: c.TRUNCATE_POLICY }] : []),
    ...routes.map((r, i) => ({ use: uses[offset + i], truncate: r.truncate ?? c.TRUNCATE_POLICY })),
  ];
  const problems: string[] = [];
  for (const { use: u, truncate } of checked) {
    if (u?.spec.deletes !== "hard") continue;
    if (truncate === "apply")
      problems.push(
        `${u.where}: deletes "hard" cannot be used with truncate apply (a hard-deleted row leaves no item ` +
          "for the truncate to find, and its tombstone would stay older than the truncate)",
      );
    if (u.spec.tombstoneTable === u.table)
      problems.push(`${u.where}: tombstoneTable must be another table than the one it serves (${u.table})`);
  }
  return problems;
}
