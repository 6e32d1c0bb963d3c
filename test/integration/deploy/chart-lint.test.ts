// helm lint --strict on every values variant, and the chart's own rendering-time rules: each one
// must fail with a message that says what to change.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CHART, VARIANTS, runHelm, valuesArgs } from "./deploy-support.ts";

for (const v of VARIANTS) {
  test(`helm lint --strict: ${v.name}`, () => {
    const r = runHelm(["lint", "--strict", CHART, ...valuesArgs(v)]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    assert.doesNotMatch(r.stdout, /\[(WARNING|ERROR)\]/);
  });
}

/** --set arguments; `config.*` values are strings in the schema, so they go as --set-string. */
function setArgs(set: string[]): string[] {
  return set.flatMap((s) => [s.startsWith("config.") ? "--set-string" : "--set", s]);
}

function templateFails(set: string[], message: RegExp): void {
  const r = runHelm(["template", "x", CHART, ...setArgs(set)]);
  assert.notEqual(r.status, 0, `rendering should fail for ${set.join(" ")}`);
  assert.match(r.stderr, message);
}

test("rendering fails when maxReplicas exceeds the partition count (keda and hpa)", () => {
  for (const mode of ["keda", "hpa"]) {
    templateFails(
      [`autoscaling.mode=${mode}`, "autoscaling.partitions=6", "autoscaling.maxReplicas=7"],
      /autoscaling\.maxReplicas \(7\) exceeds autoscaling\.partitions \(6\)/,
    );
  }
  // The boundary renders: as many replicas as partitions.
  const r = runHelm([
    "template",
    "x",
    CHART,
    "--set",
    "autoscaling.mode=keda,autoscaling.partitions=6,autoscaling.maxReplicas=6",
  ]);
  assert.equal(r.status, 0, r.stderr);
});

test("rendering fails for KEDA without a partition count, and for min > max", () => {
  templateFails(["autoscaling.mode=keda"], /autoscaling\.partitions is required with autoscaling\.mode=keda/);
  templateFails(
    ["autoscaling.mode=hpa", "autoscaling.minReplicas=4", "autoscaling.maxReplicas=3"],
    /minReplicas \(4\) is greater than autoscaling\.maxReplicas \(3\)/,
  );
  templateFails(
    ["autoscaling.mode=hpa", "autoscaling.minReplicas=0"],
    /at least 1 with autoscaling\.mode=hpa/,
  );
});

test("rendering fails when terminationGracePeriodSeconds does not outlast the shutdown deadline", () => {
  templateFails(
    ["terminationGracePeriodSeconds=20"],
    /terminationGracePeriodSeconds \(20\) must be at least 25/,
  );
  templateFails(
    ["terminationGracePeriodSeconds=40", "config.SHUTDOWN_DEADLINE_MS=45000"],
    /terminationGracePeriodSeconds \(40\) must be at least 50/,
  );
  templateFails(["config.SHUTDOWN_DEADLINE_MS=soon"], /SHUTDOWN_DEADLINE_MS must be a whole number/);
});

test("rendering fails for SASL without a password source and for conflicting file settings", () => {
  templateFails(
    ["config.KAFKA_SASL_MECHANISM=scram-sha-512", "config.KAFKA_SASL_USERNAME=u"],
    /no password is given: set kafka\.saslPassword\.existingSecret/,
  );
  templateFails(
    [
      "config.KAFKA_SASL_MECHANISM=scram-sha-512",
      "config.KAFKA_SASL_USERNAME=u",
      "config.KAFKA_SASL_PASSWORD_FILE=/p",
      "kafka.saslPassword.existingSecret=s",
      "kafka.saslPassword.mountAsFile=true",
    ],
    /KAFKA_SASL_PASSWORD_FILE conflicts with kafka\.saslPassword\.mountAsFile/,
  );
  templateFails(
    ["config.ROUTES_FILE=/r.json", "routes[0].topic=t", "routes[0].table=tbl"],
    /ROUTES_FILE conflicts with routes/,
  );
  templateFails(
    ["serviceMonitor.enabled=true", "service.enabled=false"],
    /serviceMonitor\.enabled needs service\.enabled/,
  );
});

test("KEDA with SASL needs a Secret KEDA can read, or the user's own TriggerAuthentication", () => {
  const sasl = [
    "autoscaling.mode=keda",
    "autoscaling.partitions=3",
    "config.KAFKA_SASL_MECHANISM=scram-sha-512",
    "config.KAFKA_SASL_USERNAME=u",
    "config.KAFKA_SASL_PASSWORD_FILE=/var/run/p",
  ];
  templateFails(sasl, /needs the password in a Secret KEDA can read/);
  const r = runHelm([
    "template",
    "x",
    CHART,
    ...setArgs([...sasl, "autoscaling.keda.authenticationRef=mine"]),
  ]);
  assert.equal(r.status, 0, r.stderr);
});
