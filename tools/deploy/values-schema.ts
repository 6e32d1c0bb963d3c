// Builds the Helm chart's values.schema.json. Run it after changing the chart's values or
// src/config/env-spec.ts:  node tools/deploy/values-schema.ts
// test/integration/deploy/chart-schema.test.ts fails when the committed schema differs from what this builds.
//
// Why generated: every object gets `additionalProperties: false` by construction (a misspelt key
// is rejected by helm), and the `config` map accepts exactly the service's variables from ENV_SPEC,
// so the chart cannot drift from the configuration contract.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ENV_SPEC } from "../../src/config/env-spec.ts";
import { POISON_POLICIES, RECORD_FORMATS, VERSION_SOURCES } from "../../src/config/parsers.ts";
import { RECORD_ENCODINGS } from "../../src/config/variables/schema-registry.ts";
import { MAPPING_SCHEMA } from "../../src/config/mapping.ts";
import { z } from "zod";

type Schema = Record<string, unknown>;

export const SCHEMA_PATH = fileURLToPath(
  new URL("../../helm/cdc-dynamodb-sink/values.schema.json", import.meta.url),
);

/** Variables the chart sets itself, so `config` must not carry them. */
export const CHART_MANAGED = {
  HEALTH_PORT: "set from `containerPort`",
  KAFKA_SASL_PASSWORD: "set from `kafka.saslPassword` (a Secret)",
  SCHEMA_REGISTRY_PASSWORD: "set from `schemaRegistry.password` (a Secret)",
} as const;

/** Name patterns accepted in `config` besides ENV_SPEC: the standard OTel and AWS SDK variables. */
export const CONFIG_PATTERNS = ["^OTEL_[A-Z0-9_]+$", "^AWS_[A-Z0-9_]+$"] as const;

/**
 * Paths (JSON pointer into the schema) whose objects are Kubernetes or service structures passed
 * through verbatim: Kubernetes or the service validates them, not this schema.
 */
export const FREE_FORM = [
  "/properties/global",
  "/properties/affinity",
  "/properties/extraEnv/items/properties/valueFrom",
  "/properties/extraVolumes/items",
] as const;

const str = (description?: string): Schema => ({ type: "string", ...(description ? { description } : {}) });
const int = (minimum = 0, description?: string): Schema => ({
  type: "integer",
  minimum,
  ...(description ? { description } : {}),
});
const bool = (description?: string): Schema => ({ type: "boolean", ...(description ? { description } : {}) });
const stringMap = (description: string): Schema => ({
  type: "object",
  description,
  additionalProperties: { type: "string" },
});
const quantity: Schema = { type: ["string", "number"] };
const intOrPercent: Schema = { type: ["integer", "string"], pattern: "^[0-9]+%?$" };

function obj(properties: Record<string, Schema>, required: string[] = [], description?: string): Schema {
  return {
    type: "object",
    ...(description ? { description } : {}),
    additionalProperties: false,
    properties,
    ...(required.length ? { required } : {}),
  };
}

/** A route's `mapping` (docs/mapping.md), from the service's own zod schema: strict objects stay strict. */
function mappingSchema(): Schema {
  const schema = z.toJSONSchema(MAPPING_SCHEMA, { io: "input" }) as Schema;
  delete schema["$schema"];
  return { ...schema, description: "The table's key schema and attributes (docs/mapping.md)." };
}

function configSchema(): Schema {
  const required = ENV_SPEC.filter((v) => "required" in v && v.required).map((v) => v.name);
  const properties: Record<string, Schema> = {};
  for (const v of ENV_SPEC) {
    if (v.name in CHART_MANAGED) continue;
    const fallback = "default" in v ? ` Default: \`${v.default}\`.` : "";
    // A closed set of words (a zod enum in ENV_SPEC) is closed in the chart too: helm refuses a typo.
    const words = (v.parse as { options?: unknown }).options;
    properties[v.name] = {
      type: "string",
      description: `${v.description}${fallback}`,
      ...(Array.isArray(words) ? { enum: words } : {}),
      ...(required.includes(v.name) ? { minLength: 1 } : {}),
    };
  }
  const managed = Object.entries(CHART_MANAGED)
    .map(([name, how]) => `${name} (${how})`)
    .join(", ");
  return {
    type: "object",
    description:
      `The service's environment variables (src/config/env-spec.ts), as strings. ` +
      `OTEL_* and AWS_* are accepted too. Not accepted, because the chart sets them: ${managed}.`,
    additionalProperties: false,
    properties,
    patternProperties: Object.fromEntries(CONFIG_PATTERNS.map((p) => [p, { type: "string" }])),
    required,
    anyOf: ["KAFKA_TOPICS", "KAFKA_TOPIC_PATTERN"].map((name) => ({
      required: [name],
      properties: { [name]: { minLength: 1 } },
    })),
  };
}

const seccompProfile = obj(
  { type: { enum: ["RuntimeDefault", "Localhost", "Unconfined"] }, localhostProfile: str() },
  ["type"],
);

const probe = obj({
  initialDelaySeconds: int(0),
  periodSeconds: int(1),
  timeoutSeconds: int(1),
  failureThreshold: int(1),
  successThreshold: int(1),
});

const labelSelector = obj({
  matchLabels: stringMap("Labels to match."),
  matchExpressions: {
    type: "array",
    items: obj(
      {
        key: str(),
        operator: { enum: ["In", "NotIn", "Exists", "DoesNotExist"] },
        values: { type: "array", items: str() },
      },
      ["key", "operator"],
    ),
  },
});

export function buildValuesSchema(): Schema {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "cdc-dynamodb-sink chart values",
    description: "Generated by tools/deploy/values-schema.ts; do not edit by hand.",
    ...obj({
      global: { type: "object", description: "Values shared with a parent chart (unused here)." },
      config: configSchema(),
      kafka: obj({
        saslPassword: obj({
          existingSecret: str("Name of an existing Secret holding the SASL password; empty: none."),
          key: { type: "string", minLength: 1, description: "Key of the password in that Secret." },
          mountAsFile: bool("Mount the key as a file and set KAFKA_SASL_PASSWORD_FILE instead of the env."),
        }),
        clientCertificate: obj({
          existingSecret: str(
            "Name of an existing Secret with the client certificate and key for mutual TLS; empty: none.",
          ),
          certKey: {
            type: "string",
            pattern: "^[-._a-zA-Z0-9]+$",
            description: "Key of the PEM certificate.",
          },
          keyKey: {
            type: "string",
            pattern: "^[-._a-zA-Z0-9]+$",
            description: "Key of the PEM private key.",
          },
        }),
      }),
      schemaRegistry: obj({
        password: obj({
          existingSecret: str(
            "Name of an existing Secret holding the schema registry's basic-auth password; empty: none.",
          ),
          key: { type: "string", minLength: 1, description: "Key of the password in that Secret." },
        }),
      }),
      routes: {
        type: "array",
        description:
          "Per-topic routes (src/config/routes.ts), written to ROUTES_FILE as JSON; first match wins. " +
          "Each route has exactly one of topic and topicPattern; the service checks the rest at start.",
        items: obj({
          topic: { type: "string", minLength: 1 },
          topicPattern: { type: "string", minLength: 1 },
          table: { type: "string", pattern: "^[a-zA-Z0-9_.-]{3,255}$" },
          sourceName: { type: "string", minLength: 1 },
          versionSource: { enum: [...VERSION_SOURCES] },
          versionColumn: { type: "string", minLength: 1 },
          tombstoneTtlSeconds: int(0),
          format: { enum: [...RECORD_FORMATS] },
          poisonPolicy: { enum: [...POISON_POLICIES] },
          encoding: { enum: [...RECORD_ENCODINGS] },
          mapping: mappingSchema(),
        }),
      },
      image: obj(
        {
          repository: { type: "string", minLength: 1 },
          tag: str("Empty: the chart's appVersion."),
          digest: { type: "string", pattern: "^(sha256:[a-f0-9]{64})?$" },
          pullPolicy: { enum: ["Always", "IfNotPresent", "Never"] },
        },
        ["repository"],
      ),
      imagePullSecrets: { type: "array", items: { type: "string", minLength: 1 } },
      nameOverride: str(),
      fullnameOverride: str(),
      replicaCount: int(0, "Replicas when autoscaling.mode is none."),
      strategy: obj(
        {
          type: { enum: ["RollingUpdate", "Recreate"] },
          rollingUpdate: obj({ maxSurge: intOrPercent, maxUnavailable: intOrPercent }),
        },
        ["type"],
      ),
      containerPort: { type: "integer", minimum: 1, maximum: 65535, description: "Sets HEALTH_PORT." },
      terminationGracePeriodSeconds: {
        type: ["integer", "null"],
        minimum: 1,
        description: "Null: derived from SHUTDOWN_DEADLINE_MS + 10 s.",
      },
      serviceAccount: obj({
        create: bool(),
        name: str(),
        annotations: stringMap("e.g. eks.amazonaws.com/role-arn for IRSA."),
        automountServiceAccountToken: bool(),
      }),
      podAnnotations: stringMap("Extra pod annotations."),
      podLabels: stringMap("Extra pod labels."),
      podSecurityContext: obj({
        runAsNonRoot: bool(),
        runAsUser: int(0),
        runAsGroup: int(0),
        fsGroup: int(0),
        fsGroupChangePolicy: { enum: ["Always", "OnRootMismatch"] },
        supplementalGroups: { type: "array", items: int(0) },
        seccompProfile,
      }),
      securityContext: obj({
        allowPrivilegeEscalation: bool(),
        readOnlyRootFilesystem: bool(),
        runAsNonRoot: bool(),
        runAsUser: int(0),
        runAsGroup: int(0),
        privileged: bool(),
        capabilities: obj({
          drop: { type: "array", items: str() },
          add: { type: "array", items: str() },
        }),
        seccompProfile,
      }),
      tmpVolume: obj({ sizeLimit: { type: ["string", "null"] } }),
      resources: obj({
        requests: obj({ cpu: quantity, memory: quantity, "ephemeral-storage": quantity }),
        limits: obj({ cpu: quantity, memory: quantity, "ephemeral-storage": quantity }),
      }),
      probes: obj({ startup: probe, liveness: probe, readiness: probe }, [
        "startup",
        "liveness",
        "readiness",
      ]),
      topologySpreadConstraints: {
        type: "array",
        items: obj(
          {
            maxSkew: int(1),
            topologyKey: { type: "string", minLength: 1 },
            whenUnsatisfiable: { enum: ["DoNotSchedule", "ScheduleAnyway"] },
            labelSelector,
            minDomains: int(1),
            matchLabelKeys: { type: "array", items: str() },
            nodeAffinityPolicy: { enum: ["Honor", "Ignore"] },
            nodeTaintsPolicy: { enum: ["Honor", "Ignore"] },
          },
          ["maxSkew", "topologyKey", "whenUnsatisfiable"],
        ),
      },
      nodeSelector: stringMap("Node labels the pods must match."),
      tolerations: {
        type: "array",
        items: obj({
          key: str(),
          operator: { enum: ["Exists", "Equal"] },
          value: str(),
          effect: { enum: ["NoSchedule", "PreferNoSchedule", "NoExecute"] },
          tolerationSeconds: { type: "integer" },
        }),
      },
      affinity: { type: "object", description: "Kubernetes Affinity, passed through." },
      priorityClassName: str(),
      extraEnv: {
        type: "array",
        items: obj(
          {
            name: { type: "string", minLength: 1 },
            value: str(),
            valueFrom: { type: "object", description: "Kubernetes EnvVarSource, passed through." },
          },
          ["name"],
        ),
      },
      extraVolumes: {
        type: "array",
        items: { type: "object", required: ["name"], description: "Kubernetes Volume, passed through." },
      },
      extraVolumeMounts: {
        type: "array",
        items: obj(
          {
            name: str(),
            mountPath: str(),
            subPath: str(),
            subPathExpr: str(),
            readOnly: bool(),
            recursiveReadOnly: { enum: ["Disabled", "IfPossible", "Enabled"] },
            mountPropagation: { enum: ["None", "HostToContainer", "Bidirectional"] },
          },
          ["name", "mountPath"],
        ),
      },
      podDisruptionBudget: obj({ enabled: bool(), maxUnavailable: intOrPercent }),
      service: obj({
        enabled: bool(),
        type: { enum: ["ClusterIP", "NodePort", "LoadBalancer"] },
        port: { type: "integer", minimum: 1, maximum: 65535 },
        annotations: stringMap("Service annotations."),
      }),
      serviceMonitor: obj({
        enabled: bool(),
        interval: { type: "string", pattern: "^[0-9]+(ms|s|m|h)$" },
        scrapeTimeout: { type: "string", pattern: "^[0-9]+(ms|s|m|h)$" },
        labels: stringMap("Labels your Prometheus' serviceMonitorSelector matches."),
      }),
      autoscaling: obj({
        mode: { enum: ["none", "hpa", "keda"] },
        minReplicas: int(0),
        maxReplicas: int(1),
        partitions: {
          type: ["integer", "null"],
          minimum: 1,
          description: "Total partitions of the consumed topics; maxReplicas may not exceed it.",
        },
        scaleDownStabilizationWindowSeconds: { type: "integer", minimum: 0, maximum: 3600 },
        hpa: obj({ targetCPUUtilizationPercentage: { type: "integer", minimum: 1, maximum: 100 } }),
        keda: obj({
          lagThreshold: int(1),
          activationLagThreshold: int(0),
          pollingInterval: int(1),
          cooldownPeriod: int(0),
          topic: str(),
          authenticationRef: str(),
          extraMetadata: stringMap("Extra kafka trigger metadata."),
        }),
      }),
      tests: obj({ enabled: bool(), timeoutSeconds: int(1) }),
    }),
  };
}

export function renderValuesSchema(): string {
  return `${JSON.stringify(buildValuesSchema(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_PATH, renderValuesSchema());
  console.log(`wrote ${SCHEMA_PATH}`);
}
