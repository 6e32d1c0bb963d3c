// The chart's values.schema.json: generated from ENV_SPEC, closed at every level, and enforced by
// helm itself (a misspelt key fails lint and template with a message that names it).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ENV_SPEC } from "../../../src/config/env-spec.ts";
import {
  CHART_MANAGED,
  CONFIG_PATTERNS,
  FREE_FORM,
  SCHEMA_PATH,
  renderValuesSchema,
} from "../../../tools/deploy/values-schema.ts";
import { CHART, runHelm } from "./deploy-support.ts";

type Node = Record<string, unknown>;
const schema = JSON.parse(readFileSync(SCHEMA_PATH, "utf8")) as Node;

test("values.schema.json is what tools/deploy/values-schema.ts generates", () => {
  assert.equal(
    readFileSync(SCHEMA_PATH, "utf8"),
    renderValuesSchema(),
    "stale schema: run `node tools/deploy/values-schema.ts`",
  );
});

/** JSON pointers of every object-typed node that accepts keys it does not list. */
function openObjects(node: unknown, pointer: string): string[] {
  if (node === null || typeof node !== "object") return [];
  if (Array.isArray(node)) return node.flatMap((n, i) => openObjects(n, `${pointer}/${i}`));
  const n = node as Node;
  const types = [n["type"]].flat();
  const own =
    types.includes("object") &&
    n["additionalProperties"] !== false &&
    !(typeof n["additionalProperties"] === "object")
      ? [pointer]
      : [];
  return [...own, ...Object.entries(n).flatMap(([k, v]) => openObjects(v, `${pointer}/${k}`))];
}

test("every object in the values schema is closed, except the listed pass-through structures", () => {
  assert.deepEqual(openObjects(schema, "").sort(), [...FREE_FORM].sort());
});

test("config accepts exactly the service's variables, minus those the chart sets itself", () => {
  const config = (schema["properties"] as Node)["config"] as Node;
  const expected = ENV_SPEC.map((v) => v.name).filter((n) => !(n in CHART_MANAGED));
  assert.deepEqual(Object.keys(config["properties"] as Node).sort(), expected.sort());
  assert.deepEqual(
    (config["required"] as string[]).sort(),
    ENV_SPEC.filter((v) => "required" in v && v.required)
      .map((v) => v.name)
      .sort(),
  );
  assert.deepEqual(Object.keys(config["patternProperties"] as Node), [...CONFIG_PATTERNS]);
  for (const v of ENV_SPEC) {
    if ("secret" in v && v.secret)
      assert.ok(v.name in CHART_MANAGED, `${v.name} is secret: only via a Secret`);
  }
});

function helmFails(args: string[], message: RegExp): void {
  const r = runHelm(args);
  assert.notEqual(r.status, 0, `helm ${args[0]} should fail:\n${r.stdout}`);
  assert.match(r.stderr + r.stdout, message);
}

test("a misspelt key is rejected by helm lint and helm template, naming the key", () => {
  // A top-level typo, a nested one, and a variable the service does not know.
  const cases: [string, RegExp][] = [
    ["replicaCont=2", /replicaCont/],
    ["autoscaling.partiton=3", /partiton/],
    ["config.KAFKA_BROKER=kafka:9092", /KAFKA_BROKER/],
    ["securityContext.readOnlyRootFileSystem=true", /readOnlyRootFileSystem/],
  ];
  for (const [set, message] of cases) {
    helmFails(["lint", "--strict", CHART, "--set", set], message);
    helmFails(["template", "x", CHART, "--set", set], message);
  }
});

test("the schema rejects chart-managed variables, non-string values and a missing required variable", () => {
  helmFails(["template", "x", CHART, "--set", "config.HEALTH_PORT=9000"], /HEALTH_PORT/);
  helmFails(
    ["template", "x", CHART, "--set-string", "config.KAFKA_SASL_PASSWORD=hunter2"],
    /KAFKA_SASL_PASSWORD/,
  );
  helmFails(["template", "x", CHART, "--set", "config.MAX_IN_FLIGHT=64"], /MAX_IN_FLIGHT/);
  helmFails(["template", "x", CHART, "--set", "config.DYNAMODB_TABLE=null"], /DYNAMODB_TABLE/);
  helmFails(["template", "x", CHART, "--set", "config.KAFKA_TOPIC_PATTERN=null"], /KAFKA_TOPIC/);
  helmFails(
    [
      "template",
      "x",
      CHART,
      "-f",
      join(import.meta.dirname, "fixtures", "routes-hpa.yaml"),
      "--set",
      "routes[0].tabel=x",
    ],
    /tabel/,
  );
});
