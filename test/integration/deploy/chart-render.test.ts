// Assertions on what the chart renders for every values variant: hardening, probes, replicas
// versus autoscaling, KEDA's trigger, and an environment the service itself accepts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadConfig } from "../../../src/config/config.ts";
import { ENV_SPEC } from "../../../src/config/env-spec.ts";
import { parseRoutes } from "../../../src/config/routes.ts";
import {
  FIXTURES_DIR,
  ROOT,
  VARIANTS,
  type K8sObject,
  only,
  podSpec,
  render,
  sinkContainer,
} from "./deploy-support.ts";

const rendered = new Map(VARIANTS.map((v) => [v.name, render(v)]));
const objectsOf = (name: string): K8sObject[] => {
  const r = rendered.get(name);
  if (!r) throw new Error(`no variant ${name}`);
  return r.objects;
};

// The service checks a client certificate and key at start-up: the mounted files must be a real pair.
const MTLS_FIXTURES = join(ROOT, "test", "unit", "config", "fixtures", "mtls");
const PEM_FILES: Record<string, string> = {
  KAFKA_SSL_CERT_FILE: readFileSync(join(MTLS_FIXTURES, "client.pem"), "utf8"),
  KAFKA_SSL_KEY_FILE: readFileSync(join(MTLS_FIXTURES, "client.key"), "utf8"),
};

const KNOWN = new Set<string>(ENV_SPEC.map((v) => v.name));
const SECRET = new Set<string>(ENV_SPEC.filter((v) => "secret" in v && v.secret).map((v) => v.name));
const REQUIRED = ENV_SPEC.filter((v) => "required" in v && v.required).map((v) => v.name);
const isStandard = (name: string): boolean => /^(OTEL|AWS)_[A-Z0-9_]+$/.test(name);

for (const v of VARIANTS) {
  const objects = objectsOf(v.name);
  const deployment = only(objects, "Deployment");
  const pod = podSpec(deployment);
  const sink = sinkContainer(deployment);

  test(`${v.name}: every object carries the app.kubernetes.io labels`, () => {
    for (const o of objects) {
      const labels = o.metadata.labels ?? {};
      for (const key of ["name", "instance", "version", "managed-by"]) {
        assert.ok(
          labels[`app.kubernetes.io/${key}`],
          `${o.kind}/${o.metadata.name} lacks app.kubernetes.io/${key}`,
        );
      }
      assert.equal(labels["app.kubernetes.io/managed-by"], "Helm");
    }
  });

  test(`${v.name}: hardened pod and container security`, () => {
    const psc = pod["securityContext"] as Record<string, unknown>;
    assert.equal(psc["runAsNonRoot"], true);
    assert.deepEqual(psc["seccompProfile"], { type: "RuntimeDefault" });
    assert.ok((psc["runAsUser"] as number) > 0);
    assert.equal(pod["automountServiceAccountToken"], false);
    assert.equal(pod["enableServiceLinks"], false);
    const sc = sink["securityContext"] as Record<string, unknown>;
    assert.equal(sc["readOnlyRootFilesystem"], true);
    assert.equal(sc["allowPrivilegeEscalation"], false);
    assert.equal(sc["runAsNonRoot"], true);
    assert.deepEqual(sc["capabilities"], { drop: ["ALL"] });
    // The only writable path is an emptyDir on /tmp.
    assert.ok(sink.volumeMounts?.some((m) => m.mountPath === "/tmp" && m.name === "tmp"));
    assert.ok(pod.volumes?.some((vol) => vol["name"] === "tmp" && "emptyDir" in vol));
    assert.ok(sink["resources"], "resources set");
    const sa = objects.find((o) => o.kind === "ServiceAccount");
    if (sa) assert.equal(sa["automountServiceAccountToken"], false);
  });

  test(`${v.name}: startup, liveness and readiness probes on /livez and /readyz`, () => {
    const port = (sink["ports"] as { name: string; containerPort: number }[]).find((p) => p.name === "http");
    assert.ok(port);
    const get = (probe: string) => (sink[probe] as { httpGet: { path: string; port: string } }).httpGet;
    assert.deepEqual(get("startupProbe"), { path: "/livez", port: "http" });
    assert.deepEqual(get("livenessProbe"), { path: "/livez", port: "http" });
    assert.deepEqual(get("readinessProbe"), { path: "/readyz", port: "http" });
    const env = Object.fromEntries((sink.env ?? []).map((e) => [e.name, e.value]));
    assert.equal(env["HEALTH_PORT"], String(port.containerPort));
  });

  test(`${v.name}: terminationGracePeriodSeconds outlasts SHUTDOWN_DEADLINE_MS`, () => {
    const deadline = Number(sink.env?.find((e) => e.name === "SHUTDOWN_DEADLINE_MS")?.value ?? "20000");
    const grace = pod["terminationGracePeriodSeconds"] as number;
    assert.ok(grace * 1000 >= deadline + 5000, `grace ${grace}s vs deadline ${deadline}ms`);
  });

  test(`${v.name}: replicas only without an autoscaler; the autoscaler stays within the partitions`, () => {
    const scaled = objects.find((o) => o.kind === "ScaledObject");
    const hpa = objects.find((o) => o.kind === "HorizontalPodAutoscaler");
    assert.ok(!(scaled && hpa), "never both");
    if (scaled || hpa) {
      assert.ok(!("replicas" in (deployment.spec ?? {})), "an autoscaled Deployment has no replicas field");
    } else {
      assert.equal(typeof deployment.spec?.["replicas"], "number");
    }
    const behavior = scaled
      ? (scaled.spec?.["advanced"] as { horizontalPodAutoscalerConfig: { behavior: unknown } })
          .horizontalPodAutoscalerConfig.behavior
      : hpa?.spec?.["behavior"];
    if (scaled || hpa) {
      const window = (behavior as { scaleDown: { stabilizationWindowSeconds: number } }).scaleDown
        .stabilizationWindowSeconds;
      assert.ok(window >= 60, "scale-down waits: every scale event rebalances the group");
    }
    if (hpa) {
      assert.deepEqual(hpa.spec?.["scaleTargetRef"], {
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: deployment.metadata.name,
      });
    }
  });

  test(`${v.name}: env names are the service's variables; secrets only through secretKeyRef`, () => {
    const env = sink.env ?? [];
    const names = env.map((e) => e.name);
    assert.equal(new Set(names).size, names.length, `duplicate env names: ${names.join(",")}`);
    for (const e of env) {
      assert.ok(KNOWN.has(e.name) || isStandard(e.name), `${e.name} is not in ENV_SPEC nor OTEL_*/AWS_*`);
      if (SECRET.has(e.name)) {
        assert.equal(e.value, undefined, `${e.name} must not be a literal`);
        assert.ok(e.valueFrom?.secretKeyRef, `${e.name} must come from a Secret`);
      }
    }
    for (const name of REQUIRED) assert.ok(names.includes(name), `required ${name} is not set`);
    assert.ok(names.includes("KAFKA_TOPICS") || names.includes("KAFKA_TOPIC_PATTERN"));
  });

  test(`${v.name}: the service's own config parser accepts the rendered env and files`, () => {
    const files = new Map<string, string>();
    const cm = objects.find((o) => o.kind === "ConfigMap");
    const routesMount = sink.volumeMounts?.find((m) => m.name === "routes");
    if (cm && routesMount) files.set(`${routesMount.mountPath}/routes.json`, cm.data?.["routes.json"] ?? "");
    const env: Record<string, string> = {};
    for (const e of sink.env ?? []) {
      env[e.name] = e.value ?? (e.valueFrom?.secretKeyRef ? "from-a-secret" : "from-the-downward-api");
      // A file the service reads must be inside a volume the chart mounts.
      if (e.name.endsWith("_FILE") && e.value) {
        const path = e.value;
        assert.ok(
          sink.volumeMounts?.some((m) => path.startsWith(`${m.mountPath}/`)),
          `${e.name}=${path} is not under a mounted volume`,
        );
        if (!files.has(path)) files.set(path, PEM_FILES[e.name] ?? "mounted-file-content");
      }
    }
    const result = loadConfig(env, (path) => {
      const content = files.get(path);
      if (content === undefined) throw new Error(`ENOENT: ${path}`);
      return content;
    });
    assert.ok(result.ok, `config rejected: ${result.ok ? "" : result.errors.join("; ")}`);
  });

  test(`${v.name}: the pod template's checksum covers the env and the routes`, () => {
    const annotations = (
      deployment.spec?.["template"] as { metadata: { annotations: Record<string, string> } }
    ).metadata.annotations;
    assert.match(annotations["checksum/config"] ?? "", /^[a-f0-9]{64}$/);
  });
}

test("the minimal example sets every required variable itself, and lists topics", () => {
  const sink = sinkContainer(only(objectsOf("example minimal.yaml"), "Deployment"));
  const env = Object.fromEntries((sink.env ?? []).map((e) => [e.name, e.value]));
  assert.equal(env["KAFKA_BROKERS"], "kafka-0.kafka-headless.kafka:9092,kafka-1.kafka-headless.kafka:9092");
  assert.equal(env["DYNAMODB_TABLE"], "inventory-replica");
  assert.equal(env["AWS_REGION"], "eu-west-1");
  assert.equal(env["KAFKA_GROUP_ID"], "cdc-dynamodb-sink");
  assert.equal(env["KAFKA_TOPICS"], "inventory.public.customers,inventory.public.orders");
  // `KAFKA_TOPIC_PATTERN: null` removes the chart's default pattern.
  assert.ok(!("KAFKA_TOPIC_PATTERN" in env));
});

test("KEDA: the ScaledObject targets the Deployment on the group's lag, within the partitions", () => {
  for (const name of ["example production-keda.yaml", "example msk-irsa.yaml", "fixture keda-authref.yaml"]) {
    const objects = objectsOf(name);
    const deployment = only(objects, "Deployment");
    const scaled = only(objects, "ScaledObject");
    const spec = scaled.spec as {
      scaleTargetRef: Record<string, string>;
      minReplicaCount: number;
      maxReplicaCount: number;
      triggers: { type: string; metadata: Record<string, string>; authenticationRef?: { name: string } }[];
    };
    assert.deepEqual(spec.scaleTargetRef, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: deployment.metadata.name,
    });
    assert.equal(spec.triggers.length, 1);
    const trigger = spec.triggers[0]!;
    assert.equal(trigger.type, "kafka");
    const env = Object.fromEntries((sinkContainer(deployment).env ?? []).map((e) => [e.name, e.value]));
    assert.equal(trigger.metadata["bootstrapServers"], env["KAFKA_BROKERS"]);
    assert.equal(trigger.metadata["consumerGroup"], env["KAFKA_GROUP_ID"]);
    assert.match(trigger.metadata["lagThreshold"] ?? "", /^[1-9][0-9]*$/);
    assert.equal(trigger.metadata["allowIdleConsumers"], "false");
    assert.ok(spec.maxReplicaCount >= spec.minReplicaCount);
    for (const value of Object.values(trigger.metadata)) assert.equal(typeof value, "string");
  }
  const prod = only(objectsOf("example production-keda.yaml"), "ScaledObject").spec as Record<
    string,
    unknown
  >;
  assert.equal(prod["maxReplicaCount"], 12);
  assert.equal(prod["minReplicaCount"], 2);
  const prodTrigger = (prod["triggers"] as { metadata: Record<string, string> }[])[0]!;
  assert.equal(prodTrigger.metadata["topic"], "orders.public.orders");
  assert.equal(prodTrigger.metadata["lagThreshold"], "5000");
  assert.equal(prodTrigger.metadata["offsetResetPolicy"], "earliest");
});

test(
  "KEDA with SCRAM: sasl and tls derived from the config, a TriggerAuthentication on the same " + "Secret",
  () => {
    const objects = objectsOf("example msk-irsa.yaml");
    const scaled = only(objects, "ScaledObject");
    const auth = only(objects, "TriggerAuthentication");
    const trigger = (
      scaled.spec?.["triggers"] as { metadata: Record<string, string>; authenticationRef: { name: string } }[]
    )[0]!;
    assert.equal(trigger.metadata["sasl"], "scram_sha512");
    assert.equal(trigger.metadata["tls"], "enable");
    assert.ok(!("topic" in trigger.metadata), "with a topic pattern KEDA sums the group's topics");
    assert.equal(trigger.authenticationRef.name, auth.metadata.name);
    assert.deepEqual(auth.spec?.["secretTargetRef"], [
      { parameter: "password", name: "msk-scram-cdc-sink", key: "password" },
    ]);
    assert.deepEqual(auth.spec?.["env"], [
      { parameter: "username", name: "KAFKA_SASL_USERNAME", containerName: "sink" },
    ]);
    const sa = only(objects, "ServiceAccount");
    assert.equal(
      sa.metadata.annotations?.["eks.amazonaws.com/role-arn"],
      "arn:aws:iam::123456789012:role/cdc-dynamodb-sink",
    );
    const env = sinkContainer(only(objects, "Deployment")).env ?? [];
    assert.deepEqual(env.find((e) => e.name === "KAFKA_SASL_PASSWORD")?.valueFrom, {
      secretKeyRef: { name: "msk-scram-cdc-sink", key: "password" },
    });
  },
);

test(
  "KEDA with the user's TriggerAuthentication, one topic, latest offsets; no Service means no " + "test pod",
  () => {
    const objects = objectsOf("fixture keda-authref.yaml");
    assert.equal(objects.filter((o) => o.kind === "TriggerAuthentication").length, 0);
    const trigger = (
      only(objects, "ScaledObject").spec?.["triggers"] as {
        metadata: Record<string, string>;
        authenticationRef: { name: string };
      }[]
    )[0]!;
    assert.equal(trigger.authenticationRef.name, "kafka-mtls");
    assert.equal(trigger.metadata["topic"], "cdc.public.orders");
    assert.equal(trigger.metadata["offsetResetPolicy"], "latest");
    assert.equal(trigger.metadata["limitToPartitionsWithLag"], "true");
    assert.deepEqual(
      objects.map((o) => o.kind).sort(),
      ["Deployment", "ScaledObject"],
      "no Service, PDB, ServiceAccount or test pod in this variant",
    );
    assert.equal(podSpec(only(objects, "Deployment"))["serviceAccountName"], "existing-sa");
  },
);

test(
  "routes: a ConfigMap the service parses, mounted read-only at ROUTES_FILE; the password as " + "a file",
  () => {
    const objects = objectsOf("fixture routes-hpa.yaml");
    const cm = only(objects, "ConfigMap");
    const parsed = parseRoutes(cm.data?.["routes.json"] ?? "");
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.errors.join("; "));
    assert.equal(parsed.routes.length, 2);
    const deployment = only(objects, "Deployment");
    const sink = sinkContainer(deployment);
    const env = Object.fromEntries((sink.env ?? []).map((e) => [e.name, e]));
    assert.equal(env["ROUTES_FILE"]?.value, "/etc/cdc-dynamodb-sink/routes/routes.json");
    assert.equal(
      env["KAFKA_SASL_PASSWORD_FILE"]?.value,
      "/var/run/secrets/cdc-dynamodb-sink/kafka-sasl/password",
    );
    assert.ok(!("KAFKA_SASL_PASSWORD" in env), "mounted as a file, not in the environment");
    assert.deepEqual(env["KAFKA_CLIENT_ID"]?.valueFrom, { fieldRef: { fieldPath: "metadata.name" } });
    assert.ok(sink.volumeMounts?.find((m) => m.name === "routes")?.readOnly);
    const volumes = podSpec(deployment).volumes ?? [];
    assert.deepEqual(volumes.find((x) => x["name"] === "routes")?.["configMap"], { name: cm.metadata.name });
    assert.equal(podSpec(deployment)["terminationGracePeriodSeconds"], 45);
    const hpa = only(objects, "HorizontalPodAutoscaler");
    assert.equal(hpa.spec?.["maxReplicas"], 4);
  },
);

test("the checksum changes when the routes change, so pods roll", () => {
  const base = { name: "routes", valuesFiles: [join(FIXTURES_DIR, "routes-hpa.yaml")] };
  const checksum = (extra: string[]) => {
    const d = only(render(base, extra).objects, "Deployment");
    return (d.spec?.["template"] as { metadata: { annotations: Record<string, string> } }).metadata
      .annotations["checksum/config"];
  };
  const before = checksum([]);
  assert.equal(checksum([]), before, "deterministic");
  assert.notEqual(checksum(["--set", "routes[1].tombstoneTtlSeconds=3600"]), before);
  assert.notEqual(checksum(["--set-string", "config.LOG_LEVEL=debug"]), before);
});

test(
  "default values: the derived grace period, topology spread on the chart's selector, the " + "test pod",
  () => {
    const objects = objectsOf("default values");
    const deployment = only(objects, "Deployment");
    const pod = podSpec(deployment);
    assert.equal(pod["terminationGracePeriodSeconds"], 30, "20000 ms rounded up + 10 s");
    const spread = pod["topologySpreadConstraints"] as {
      topologyKey: string;
      labelSelector: { matchLabels: Record<string, string> };
    }[];
    assert.deepEqual(
      spread.map((c) => c.topologyKey),
      ["topology.kubernetes.io/zone", "kubernetes.io/hostname"],
    );
    const selector = (deployment.spec?.["selector"] as { matchLabels: Record<string, string> }).matchLabels;
    for (const c of spread) assert.deepEqual(c.labelSelector.matchLabels, selector);
    assert.equal(only(objects, "PodDisruptionBudget").spec?.["maxUnavailable"], 1);
    const service = only(objects, "Service");
    assert.deepEqual(service.spec?.["selector"], selector);
    const testPod = only(objects, "Pod");
    assert.equal(testPod.metadata.annotations?.["helm.sh/hook"], "test");
    const testContainer = (
      testPod.spec?.["containers"] as { env: { name: string; value: string }[]; image: string }[]
    )[0]!;
    assert.equal(
      testContainer.env.find((e) => e.name === "READYZ_URL")?.value,
      `http://${service.metadata.name}:8080/readyz`,
    );
    assert.equal(testContainer.image, sinkContainer(deployment)["image"]);
  },
);

test("the production example scrapes metrics through a ServiceMonitor on the metrics Service", () => {
  const objects = objectsOf("example production-keda.yaml");
  const monitor = only(objects, "ServiceMonitor");
  const service = only(objects, "Service");
  const spec = monitor.spec as {
    selector: { matchLabels: Record<string, string> };
    endpoints: { port: string; path: string }[];
  };
  assert.deepEqual(spec.selector.matchLabels, service.spec?.["selector"]);
  assert.deepEqual(
    spec.endpoints.map((e) => [e.port, e.path]),
    [["http-metrics", "/metrics"]],
  );
  assert.equal(monitor.metadata.labels?.["release"], "kube-prometheus-stack");
  assert.match(String(sinkContainer(only(objects, "Deployment"))["image"]), /@sha256:[0-9a-f]{64}$/);
});

test("mutual TLS: the client certificate and key are mounted read-only from the Secret, and named", () => {
  const deployment = only(objectsOf("mutual TLS with a client certificate from a Secret"), "Deployment");
  const env = sinkContainer(deployment).env ?? [];
  const dir = "/var/run/secrets/cdc-dynamodb-sink/kafka-client";
  assert.equal(env.find((e) => e.name === "KAFKA_SSL_CERT_FILE")?.value, `${dir}/user.crt`);
  assert.equal(env.find((e) => e.name === "KAFKA_SSL_KEY_FILE")?.value, `${dir}/user.key`);
  const mount = (sinkContainer(deployment).volumeMounts ?? []).find((m) => m.mountPath === dir);
  assert.equal(mount?.readOnly, true);
  const volume = (podSpec(deployment).volumes ?? []).find((v) => v.name === mount?.name);
  // defaultMode is left out: the chart writes 0440, which Kubernetes's YAML 1.1 reads as octal and
  // this test's YAML 1.2 parser as 440.
  const secret = { ...(volume?.["secret"] as Record<string, unknown>) };
  delete secret["defaultMode"];
  assert.deepEqual(secret, {
    secretName: "sink-kafka-user",
    items: [
      { key: "user.crt", path: "user.crt" },
      { key: "user.key", path: "user.key" },
    ],
  });
  assert.throws(
    () =>
      render({
        name: "mTLS without TLS",
        valuesFiles: [],
        set: ["kafka.clientCertificate.existingSecret=s"],
      }),
    /kafka.clientCertificate needs config.KAFKA_SSL/,
  );
  assert.throws(
    () =>
      render({ name: "mTLS twice", valuesFiles: [join(FIXTURES_DIR, "mtls-secret.yaml")] }, [
        "--set-string",
        "config.KAFKA_SSL_KEY_FILE=/k",
      ]),
    /conflict with kafka.clientCertificate/,
  );
});

test("the schema registry's password reaches the pod only through the named Secret", () => {
  const objects = objectsOf("avro topics with a registry password from a Secret");
  const env = sinkContainer(only(objects, "Deployment")).env ?? [];
  assert.deepEqual(env.find((e) => e.name === "SCHEMA_REGISTRY_PASSWORD")?.valueFrom, {
    secretKeyRef: { name: "registry-basic-auth", key: "password" },
  });
  assert.equal(env.find((e) => e.name === "SCHEMA_REGISTRY_USERNAME")?.value, "sink");
});
