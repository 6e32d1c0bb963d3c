// The example IAM policies: least privilege, no wildcard actions or resources, ARNs of the right
// service, and consistent with the MSK/IRSA example values.
import assert from "node:assert/strict";
import { globSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { EXAMPLES_DIR, ROOT } from "./deploy-support.ts";

type Statement = {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource?: string[];
  Principal?: Record<string, string>;
  Condition?: Record<string, Record<string, string>>;
};
type Policy = { Version: string; Statement: Statement[] };

const policy = (file: string): Policy =>
  JSON.parse(readFileSync(join(ROOT, "deploy", "iam", file), "utf8")) as Policy;
const actions = (p: Policy): string[] => p.Statement.flatMap((s) => [s.Action].flat()).sort();

const msk = parse(readFileSync(join(EXAMPLES_DIR, "msk-irsa.yaml"), "utf8")) as {
  config: Record<string, string>;
  serviceAccount: { name: string; annotations: Record<string, string> };
};

/**
 * DynamoDB API actions sent by the code under `dir`: every `new XCommand(` (client or
 * lib-dynamodb). The service (`cdc-sink run`) is src/ without src/reconcile/ and src/ops/: the
 * read-only `cdc-sink reconcile` and the operator's commands (explain, dry run, redrive) run under
 * roles of their own.
 */
function dynamoActionsUsed(scope: "service" | "reconcile" | "ops"): Set<string> {
  // lib-dynamodb's document-client commands and the API action each one calls.
  const documentClient: Record<string, string> = {
    Put: "PutItem",
    Get: "GetItem",
    Update: "UpdateItem",
    Delete: "DeleteItem",
    BatchWrite: "BatchWriteItem",
    BatchGet: "BatchGetItem",
    TransactWrite: "TransactWriteItems",
    TransactGet: "TransactGetItems",
  };
  const used = new Set<string>();
  for (const file of globSync("src/**/*.ts", { cwd: ROOT })) {
    const fileScope = file.startsWith("src/reconcile/")
      ? "reconcile"
      : file.startsWith("src/ops/")
        ? "ops"
        : "service";
    if (fileScope !== scope) continue;
    const text = readFileSync(join(ROOT, file), "utf8");
    // The core builds the hard-delete transaction's actions (src/core/hard-delete.ts); the adapters send them.
    if (/export type TransactItem\b/.test(text))
      for (const m of text.matchAll(/\{ (Put|Delete|ConditionCheck): /g)) used.add(`${m[1]}Item`);
    if (!/@aws-sdk\/(client|lib)-dynamodb/.test(text)) continue;
    for (const m of text.matchAll(/new (\w+)Command\(/g)) {
      const action = documentClient[m[1]!] ?? m[1]!;
      if (action !== "TransactWriteItems") used.add(action);
    }
    // IAM has no TransactWriteItems action: each item needs the action of its kind.
    if (/new TransactWrite(Items)?Command\(/.test(text)) {
      for (const m of text.matchAll(/\b(Put|Update|Delete|ConditionCheck): /g)) used.add(`${m[1]}Item`);
    }
  }
  return used;
}

// Only `cdc-sink init-table` (development, demo) creates a table and enables its TTL.
const INIT_TABLE_ONLY = new Set(["CreateTable", "UpdateTimeToLive"]);

test("DynamoDB: exactly the actions the service sends, on the table's ARN", () => {
  const p = policy("dynamodb-table-policy.json");
  assert.equal(p.Version, "2012-10-17");
  const used = [...dynamoActionsUsed("service")].filter((a) => !INIT_TABLE_ONLY.has(a));
  assert.ok(used.includes("PutItem") && used.includes("DescribeTable"), `found in src: ${used.join(", ")}`);
  assert.deepEqual(actions(p), used.map((a) => `dynamodb:${a}`).sort());
  for (const s of p.Statement) {
    assert.equal(s.Effect, "Allow");
    for (const r of s.Resource ?? []) {
      assert.match(r, /^arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table\/[A-Za-z0-9_.-]+$/);
      assert.ok(r.endsWith(`:table/${msk.config["DYNAMODB_TABLE"]}`));
      assert.ok(r.includes(`:${msk.config["AWS_REGION"]}:`));
    }
  }
});

test("DynamoDB reconcile: exactly the read actions `cdc-sink reconcile` sends, nothing that writes", () => {
  const p = policy("dynamodb-reconcile-policy.json");
  const used = [...dynamoActionsUsed("reconcile")];
  assert.ok(
    used.includes("Scan") && used.includes("DescribeTable"),
    `found in src/reconcile: ${used.join(", ")}`,
  );
  assert.deepEqual(actions(p), used.map((a) => `dynamodb:${a}`).sort());
  for (const a of actions(p)) assert.doesNotMatch(a, /Put|Update|Delete|Write|Create/);
});

test("DynamoDB operator commands: the service's actions plus the reads of explain and the dry run", () => {
  const p = policy("dynamodb-operator-policy.json");
  // The redrive writes through the service's own sink, so the operator's role needs its actions too.
  const service = [...dynamoActionsUsed("service")].filter((a) => !INIT_TABLE_ONLY.has(a));
  const used = [...new Set([...service, ...dynamoActionsUsed("ops")])];
  assert.ok(used.includes("GetItem"), `found in src/ops: ${[...dynamoActionsUsed("ops")].join(", ")}`);
  assert.deepEqual(actions(p), used.map((a) => `dynamodb:${a}`).sort());
});

test("MSK IAM: connect, read the CDC topics, use the group, write only the DLQ", () => {
  const p = policy("msk-iam-policy.json");
  assert.equal(p.Version, "2012-10-17");
  const bySid = new Map(p.Statement.map((s) => [s.Sid, s]));
  assert.deepEqual([bySid.get("ConnectToCluster")?.Action].flat(), ["kafka-cluster:Connect"]);
  // DescribeTopicDynamicConfiguration: the start-up check reads each topic's cleanup.policy.
  assert.deepEqual([bySid.get("ReadCdcTopics")?.Action].flat(), [
    "kafka-cluster:DescribeTopic",
    "kafka-cluster:DescribeTopicDynamicConfiguration",
    "kafka-cluster:ReadData",
  ]);
  assert.deepEqual([bySid.get("UseConsumerGroup")?.Action].flat(), [
    "kafka-cluster:DescribeGroup",
    "kafka-cluster:AlterGroup",
  ]);
  assert.deepEqual([bySid.get("WriteDeadLetterTopic")?.Action].flat(), [
    "kafka-cluster:DescribeTopic",
    "kafka-cluster:WriteData",
  ]);
  const resources = (sid: string) => bySid.get(sid)?.Resource ?? [];
  assert.match(
    resources("ConnectToCluster")[0] ?? "",
    /^arn:aws:kafka:[a-z0-9-]+:\d{12}:cluster\/[^/]+\/[^/]+$/,
  );
  assert.ok(resources("UseConsumerGroup")[0]?.endsWith(`/${msk.config["KAFKA_GROUP_ID"]}`));
  assert.ok(resources("WriteDeadLetterTopic")[0]?.endsWith(`/${msk.config["DLQ_TOPIC"]}`));
  assert.match(resources("ReadCdcTopics")[0] ?? "", /:topic\/[^/]+\/[^/]+\/[^*]+\*$/);
});

test("no policy grants a wildcard action or an unscoped resource", () => {
  for (const file of ["dynamodb-table-policy.json", "msk-iam-policy.json"]) {
    const p = policy(file);
    for (const a of actions(p)) assert.doesNotMatch(a, /\*/, `${file}: ${a}`);
    for (const s of p.Statement) {
      assert.ok(s.Resource && s.Resource.length > 0, `${file}/${s.Sid}: resources listed`);
      for (const r of s.Resource) assert.notEqual(r, "*", `${file}/${s.Sid}`);
    }
  }
});

test("the IRSA trust policy admits exactly the chart's ServiceAccount", () => {
  const p = policy("irsa-trust-policy.json");
  const [s] = p.Statement;
  assert.ok(s);
  assert.equal(s.Action, "sts:AssumeRoleWithWebIdentity");
  const eq = s.Condition?.["StringEquals"] ?? {};
  const sub = Object.entries(eq).find(([k]) => k.endsWith(":sub"))?.[1];
  assert.equal(sub, `system:serviceaccount:cdc:${msk.serviceAccount.name}`);
  assert.equal(Object.entries(eq).find(([k]) => k.endsWith(":aud"))?.[1], "sts.amazonaws.com");
  const role = msk.serviceAccount.annotations["eks.amazonaws.com/role-arn"] ?? "";
  assert.match(role, /^arn:aws:iam::\d{12}:role\/.+$/);
  const account = /^arn:aws:iam::(\d{12}):/.exec(role)?.[1];
  assert.match(
    s.Principal?.["Federated"] ?? "",
    new RegExp(`^arn:aws:iam::${account}:oidc-provider/oidc\\.eks\\.`),
  );
});
