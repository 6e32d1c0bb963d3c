// Shared by the deploy tests: locating helm and the validators through the repository's install
// scripts, rendering the chart, and reading what it rendered.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const CHART = join(ROOT, "helm", "cdc-dynamodb-sink");
export const EXAMPLES_DIR = join(ROOT, "deploy", "helm-examples");
export const FIXTURES_DIR = join(ROOT, "test", "integration", "deploy", "fixtures");

/** Runs an install script (idempotent, fast when cached) and returns the path it prints last. */
function installed(script: string): string {
  // The first build of helm takes minutes on a clean machine: the script prints its steps to stderr.
  const out = execFileSync("bash", [join(ROOT, "tools", "deploy", script)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 20 * 60 * 1000,
  });
  const path = out.trim().split("\n").at(-1);
  if (!path) throw new Error(`${script} printed no path`);
  return path;
}

let helmPath: string | undefined;
export function helm(): string {
  helmPath ??= installed("install-helm.sh");
  return helmPath;
}

let kubeValidatePath: string | undefined;
export function kubernetesValidate(): string {
  kubeValidatePath ??= installed("install-validators.sh");
  return kubeValidatePath;
}

export type RunResult = { status: number | null; stdout: string; stderr: string };

export function runHelm(args: string[]): RunResult {
  const r = spawnSync(helm(), args, { encoding: "utf8", cwd: ROOT, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A values variant: the example files users copy, plus fixtures that cover the other paths. */
export type Variant = { name: string; valuesFiles: string[]; set?: string[] };

export const EXAMPLES = [
  "minimal.yaml",
  "production-keda.yaml",
  "msk-irsa.yaml",
  "scram-existing-secret.yaml",
] as const;

export const VARIANTS: Variant[] = [
  { name: "default values", valuesFiles: [] },
  ...EXAMPLES.map((f) => ({ name: `example ${f}`, valuesFiles: [join(EXAMPLES_DIR, f)] })),
  { name: "fixture routes-hpa.yaml", valuesFiles: [join(FIXTURES_DIR, "routes-hpa.yaml")] },
  { name: "fixture keda-authref.yaml", valuesFiles: [join(FIXTURES_DIR, "keda-authref.yaml")] },
  {
    name: "avro topics with a registry password from a Secret",
    valuesFiles: [],
    set: [
      "config.RECORD_ENCODING=avro",
      "config.SCHEMA_REGISTRY_URL=http://registry:8081",
      "config.SCHEMA_REGISTRY_USERNAME=sink",
      "schemaRegistry.password.existingSecret=registry-basic-auth",
    ],
  },
  {
    name: "mutual TLS with a client certificate from a Secret",
    valuesFiles: [join(FIXTURES_DIR, "mtls-secret.yaml")],
  },
];

export function valuesArgs(v: Variant): string[] {
  return [...v.valuesFiles.flatMap((f) => ["-f", f]), ...(v.set ?? []).flatMap((s) => ["--set", s])];
}

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  [key: string]: unknown;
};

export const RELEASE = "sink";
export const NAMESPACE = "cdc";

/** `helm template` of a variant; throws with helm's message when rendering fails. */
export function render(v: Variant, extra: string[] = []): { text: string; objects: K8sObject[] } {
  const r = runHelm(["template", RELEASE, CHART, "--namespace", NAMESPACE, ...valuesArgs(v), ...extra]);
  if (r.status !== 0) throw new Error(`helm template (${v.name}) failed:\n${r.stderr}`);
  return { text: r.stdout, objects: parseManifests(r.stdout) };
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`invalid YAML rendered: ${d.errors[0]?.message}`);
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

export function only(objects: K8sObject[], kind: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0]!;
}

export type Container = {
  name: string;
  env?: EnvEntry[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  [key: string]: unknown;
};
export type EnvEntry = {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; [key: string]: unknown };
};
export type PodSpec = {
  containers: Container[];
  volumes?: Record<string, unknown>[];
  [key: string]: unknown;
};

export function podSpec(deployment: K8sObject): PodSpec {
  const template = deployment.spec?.["template"] as { spec: PodSpec };
  return template.spec;
}

export function sinkContainer(deployment: K8sObject): Container {
  const c = podSpec(deployment).containers.find((x) => x.name === "sink");
  if (!c) throw new Error("no container named sink");
  return c;
}

/**
 * Top-level property names of an interface in a @kubernetes-models .d.ts file, with the .d.ts file
 * of each property's own interface (relative imports only), and the keys of interfaces it extends.
 */
export function modelKeys(dtsFile: string): Map<string, string | undefined> {
  const text = readFileSync(dtsFile, "utf8");
  const imports = new Map<string, string>();
  for (const m of text.matchAll(/^import \{ (\w+) \} from "(\.\/[^"]+)\.js";$/gm)) {
    imports.set(m[1]!, join(dirname(dtsFile), `${m[2]}.d.ts`));
  }
  // An alias of another model (`export type IAuthSecretTargetRef = IAuthTargetRef;`).
  const alias = /^export type I\w+ = (\w+);$/m.exec(text);
  const aliased = alias ? imports.get(alias[1]!) : undefined;
  if (aliased) return modelKeys(aliased);
  const head = /^export interface \w+(?: extends ([\w, ]+))? \{$/m.exec(text);
  if (!head) throw new Error(`no interface in ${dtsFile}`);
  const body = text.slice(head.index + head[0].length, text.indexOf("\n}", head.index));
  const keys = new Map<string, string | undefined>();
  for (const base of head[1]?.split(",").map((s) => s.trim()) ?? []) {
    const file = imports.get(base);
    if (file) for (const [k, f] of modelKeys(file)) keys.set(k, f);
  }
  // `"name"?: IType;`, `"name": Array<IType>;` or an inline `"name": {` (a map: not followed).
  for (const m of body.matchAll(/^ {4}"([^"]+)"\??: (?:Array<)?(\w+|\{)/gm)) {
    keys.set(m[1]!, imports.get(m[2]!));
  }
  return keys;
}

/** Every key of `value`, recursively through the model's own interfaces, is one the CRD knows. */
export function unknownKeys(value: unknown, dtsFile: string, path = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownKeys(v, dtsFile, `${path}[${i}]`));
  if (value === null || typeof value !== "object") return [];
  const keys = modelKeys(dtsFile);
  return Object.entries(value).flatMap(([k, v]) => {
    if (!keys.has(k)) return [`${path}.${k}`];
    const nested = keys.get(k);
    return nested ? unknownKeys(v, nested, `${path}.${k}`) : [];
  });
}

export const MODELS = join(ROOT, "node_modules", "@kubernetes-models");
