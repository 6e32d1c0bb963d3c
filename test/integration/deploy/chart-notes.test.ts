// NOTES.txt renders only at install time, against a cluster; an error there would fail
// `helm install` after every other template passed. Its text is the named template
// "cdc-dynamodb-sink.notes", rendered here through a copy of the chart with one extra template.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { parse } from "yaml";
import { CHART, NAMESPACE, RELEASE, VARIANTS, runHelm, valuesArgs } from "./deploy-support.ts";

const dir = mkdtempSync(join(tmpdir(), "cdc-sink-notes-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const chart = join(dir, "cdc-dynamodb-sink");
cpSync(CHART, chart, { recursive: true });
writeFileSync(
  join(chart, "templates", "notes-check.yaml"),
  '{{ dict "notes" (include "cdc-dynamodb-sink.notes" .) | toYaml }}\n',
);

function notes(args: string[]): string {
  const r = runHelm([
    "template",
    RELEASE,
    chart,
    "--namespace",
    NAMESPACE,
    ...args,
    "--show-only",
    "templates/notes-check.yaml",
  ]);
  assert.equal(r.status, 0, r.stderr);
  return (parse(r.stdout) as { notes: string }).notes;
}

test("NOTES.txt only delegates to the notes template rendered here", () => {
  assert.equal(
    readFileSync(join(CHART, "templates", "NOTES.txt"), "utf8"),
    '{{ include "cdc-dynamodb-sink.notes" . }}\n',
  );
});

for (const v of VARIANTS) {
  test(`NOTES render: ${v.name}`, () => {
    const text = notes(valuesArgs(v));
    assert.match(text, new RegExp(`deployed as ${RELEASE}-cdc-dynamodb-sink in namespace ${NAMESPACE}`));
    assert.match(text, /kubectl -n cdc rollout status deployment\/sink-cdc-dynamodb-sink/);
    assert.match(text, /terminationGracePeriodSeconds: \d+\)/);
    assert.doesNotMatch(text, /<no value>|%!/, "no missing values or format errors");
  });
}

test("NOTES tell how KEDA scales, and warn when replicas exceed the partitions", () => {
  const keda = notes(valuesArgs(VARIANTS.find((v) => v.name === "example production-keda.yaml")!));
  assert.match(
    keda,
    /KEDA scales 2\.\.12 replicas on consumer lag\n\(target 5000 records per replica, 12 partitions\)/,
  );
  const idle = notes(["--set", "replicaCount=4,autoscaling.partitions=3"]);
  assert.match(idle, /WARNING: replicaCount \(4\) exceeds autoscaling\.partitions \(3\)/);
  assert.doesNotMatch(notes([]), /WARNING/);
});
