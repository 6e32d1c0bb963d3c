// Every rendered manifest of every values variant against Kubernetes' own schemas, offline:
// built-in kinds with PyPI kubernetes-validate (strict: unknown fields fail) at the oldest
// Kubernetes the chart supports and at helm's default version; the CRDs (KEDA, Prometheus
// Operator) with the validators and type definitions of @kubernetes-models, generated from the
// projects' Go API types, plus a check that no key is unknown to them.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ScaledObject, TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { parse } from "yaml";
import {
  CHART,
  MODELS,
  VARIANTS,
  type K8sObject,
  kubernetesValidate,
  render,
  unknownKeys,
} from "./deploy-support.ts";

const chartYaml = parse(readFileSync(join(CHART, "Chart.yaml"), "utf8")) as { kubeVersion: string };
const minKube = /^>=(\d+\.\d+)\.0-0$/.exec(chartYaml.kubeVersion)?.[1];
// The oldest version the chart declares, and helm's default (client-go's minor, 1.36 for helm 3.21).
const KUBE_VERSIONS = [`${minKube}.0`, "1.36.0"];

const CRD_KINDS = new Set(["ScaledObject", "TriggerAuthentication", "ServiceMonitor"]);
const KEDA = join(MODELS, "keda", "keda.sh", "v1alpha1");
const PROM = join(MODELS, "prometheus-operator", "monitoring.coreos.com", "v1");

// Parameters of KEDA's kafka scaler (keda.sh/docs, scalers/apache-kafka): the trigger metadata is
// a free string map in the CRD, so a misspelt parameter would otherwise pass unnoticed.
const KAFKA_TRIGGER_METADATA = new Set([
  "bootstrapServers",
  "consumerGroup",
  "topic",
  "lagThreshold",
  "activationLagThreshold",
  "offsetResetPolicy",
  "allowIdleConsumers",
  "scaleToZeroOnInvalidOffset",
  "excludePersistentLag",
  "limitToPartitionsWithLag",
  "version",
  "partitionLimitation",
  "sasl",
  "tls",
  "unsafeSsl",
  "awsRegion",
  "awsEndpoint",
]);

const dir = mkdtempSync(join(tmpdir(), "cdc-sink-kube-validate-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const renders = VARIANTS.map((v) => ({ variant: v, ...render(v) }));
let builtInValidated = 0;
let crdValidated = 0;

test("Chart.yaml declares a minimum Kubernetes version the validator knows", () => {
  assert.ok(minKube, `kubeVersion ${chartYaml.kubeVersion} is not of the form >=1.N.0-0`);
});

for (const { variant, text, objects } of renders) {
  for (const kube of KUBE_VERSIONS) {
    test(`${variant.name}: built-in kinds valid for Kubernetes ${kube} (strict)`, () => {
      const file = join(dir, `${variant.name.replace(/[^a-z0-9.-]+/gi, "_")}.yaml`);
      writeFileSync(file, text);
      const r = spawnSync(kubernetesValidate(), ["--kubernetes-version", kube, "--strict", file], {
        encoding: "utf8",
        timeout: 60_000,
      });
      const lines = (r.stdout + r.stderr).split("\n").filter((l) => l.trim() !== "");
      const errors = lines.filter(
        (l) =>
          !/^INFO .* passed for resource /.test(l) && !/^WARN .*Couldn't find schema for kind (\w+)/.test(l),
      );
      assert.deepEqual(errors, [], "kubernetes-validate reported problems");
      assert.equal(r.status, 0);
      const builtIn = objects.filter((o) => !CRD_KINDS.has(o.kind));
      const passed = lines.filter((l) => l.includes("passed for resource"));
      assert.equal(passed.length, builtIn.length, "every built-in object was validated");
      // The only kinds without a bundled schema are the CRDs checked below.
      for (const l of lines.filter((x) => x.startsWith("WARN"))) {
        const kind = /for kind (\w+)/.exec(l)?.[1] ?? "";
        assert.ok(CRD_KINDS.has(kind), `unexpected kind without schema: ${l}`);
      }
      builtInValidated += builtIn.length;
    });
  }

  test(`${variant.name}: CRD objects valid against the KEDA and Prometheus Operator models`, () => {
    for (const o of objects.filter((x) => CRD_KINDS.has(x.kind))) {
      validateCrd(o);
      crdValidated += 1;
    }
  });
}

function validateCrd(o: K8sObject): void {
  const where = `${o.kind}/${o.metadata.name}`;
  switch (o.kind) {
    case "ScaledObject": {
      assert.equal(o.apiVersion, "keda.sh/v1alpha1");
      new ScaledObject(o as unknown as ConstructorParameters<typeof ScaledObject>[0]).validate();
      assert.deepEqual(
        unknownKeys(o.spec, join(KEDA, "ScaledObjectSpec.d.ts")),
        [],
        `${where}: unknown keys`,
      );
      for (const t of (o.spec?.["triggers"] ?? []) as { metadata: Record<string, string> }[]) {
        const unknown = Object.keys(t.metadata).filter((k) => !KAFKA_TRIGGER_METADATA.has(k));
        assert.deepEqual(unknown, [], `${where}: unknown kafka trigger parameters`);
      }
      return;
    }
    case "TriggerAuthentication":
      assert.equal(o.apiVersion, "keda.sh/v1alpha1");
      new TriggerAuthentication(
        o as unknown as ConstructorParameters<typeof TriggerAuthentication>[0],
      ).validate();
      assert.deepEqual(
        unknownKeys(o.spec, join(KEDA, "TriggerAuthenticationSpec.d.ts")),
        [],
        `${where}: unknown keys`,
      );
      return;
    case "ServiceMonitor":
      assert.equal(o.apiVersion, "monitoring.coreos.com/v1");
      new ServiceMonitor(o as unknown as ConstructorParameters<typeof ServiceMonitor>[0]).validate();
      assert.deepEqual(
        unknownKeys(o.spec, join(PROM, "ServiceMonitorSpec.d.ts")),
        [],
        `${where}: unknown keys`,
      );
      return;
    default:
      assert.fail(`no validator for ${where}`);
  }
}

test("the CRD checks catch a misspelt field, a wrong type and an unknown trigger parameter", () => {
  const scaled = renders.flatMap((r) => r.objects).find((o) => o.kind === "ScaledObject");
  assert.ok(scaled);
  const misspelt = structuredClone(scaled);
  (misspelt.spec as Record<string, unknown>)["maxReplicaCont"] = 3;
  assert.throws(() => validateCrd(misspelt), /maxReplicaCont/);
  const wrongType = structuredClone(scaled);
  (wrongType.spec as Record<string, unknown>)["maxReplicaCount"] = "3";
  assert.throws(() => validateCrd(wrongType), /maxReplicaCount must be integer/);
  const badParam = structuredClone(scaled);
  (badParam.spec?.["triggers"] as { metadata: Record<string, string> }[])[0]!.metadata["lagTreshold"] = "1";
  assert.throws(() => validateCrd(badParam), /lagTreshold/);
});

test("kubernetes-validate rejects an unknown field (the strict mode is in force)", () => {
  const text = renders[0]!.text.replace("revisionHistoryLimit:", "revisionHistoryLimt:");
  const file = join(dir, "broken.yaml");
  writeFileSync(file, text);
  const r = spawnSync(
    kubernetesValidate(),
    ["--kubernetes-version", KUBE_VERSIONS[1]!, "--strict", "--quiet", file],
    {
      encoding: "utf8",
    },
  );
  assert.notEqual(r.status, 0);
  assert.match(r.stdout + r.stderr, /revisionHistoryLimt/);
});

test("manifests validated: every variant, every object", () => {
  // Runs last in this file (tests run in order): the counts prove the loops above did the work.
  const builtIn = renders.reduce((n, r) => n + r.objects.filter((o) => !CRD_KINDS.has(o.kind)).length, 0);
  const crds = renders.reduce((n, r) => n + r.objects.filter((o) => CRD_KINDS.has(o.kind)).length, 0);
  assert.equal(builtInValidated, builtIn * KUBE_VERSIONS.length);
  assert.equal(crdValidated, crds);
  assert.ok(crds >= 5, `CRD objects rendered: ${crds}`);
  console.log(
    `validated ${builtIn} built-in manifests x ${KUBE_VERSIONS.length} Kubernetes versions and ${crds} ` +
      `CRD objects across ${renders.length} variants`,
  );
});
