// Scenario 20, security: the sink against the real broker's SASL_SSL listener (SCRAM-SHA-512 over
// TLS, the stack's own CA). It must fail closed on a wrong password, an unknown CA and a plaintext
// port, and process the workload with the right ones; canary secrets (the SASL passwords, an AWS
// secret key and session token) must appear 0 times in any log line, exported telemetry payload or
// dead-letter header.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeCa } from "../../../tools/stack/parts/tls.ts";
import { pgKey } from "../../support/debezium-records.ts";
import { spawnSink, type SinkProcess } from "../../support/sink-process.ts";
import { makeWorkload } from "../../support/workload.ts";
import { canary, countCanaries, readDeadLetters } from "../../integration/security/canary.ts";
import { startOtlpReceiver } from "../../support/otlp-receiver.ts";
import type { Harness } from "../harness.ts";
import type { Scenario } from "../scenario.ts";
import { SIZES } from "../scenario.ts";

type Refusal = { name: string; code: number | null; ms: number; output: string; ok: boolean };

/** Starts a sink that must refuse to run: it must exit non-zero within 30 s with the expected cause. */
async function mustRefuse(
  h: Harness,
  name: string,
  env: Record<string, string>,
  cause: RegExp,
): Promise<Refusal> {
  const t0 = Date.now();
  const p: SinkProcess = spawnSink(h.endpoints, {
    KAFKA_TOPICS: h.topic,
    KAFKA_GROUP_ID: h.group,
    DYNAMODB_TABLE: h.table,
    DLQ_TOPIC: h.dlq,
    LOG_LEVEL: "debug",
    ...env,
  });
  const timer = setTimeout(() => p.child.kill("SIGKILL"), 30_000);
  const exit = await p.exited;
  clearTimeout(timer);
  const ms = Date.now() - t0;
  const fatal =
    p
      .output()
      .split("\n")
      .find((l) => l.includes('"level":"fatal"')) ?? "";
  const ok =
    exit.code !== null &&
    exit.code !== 0 &&
    cause.test(fatal) &&
    !p.output().includes("joined the consumer group");
  return { name, code: exit.code, ms, output: p.output(), ok };
}

export const security: Scenario = {
  title: "security",
  privateStack: true,
  listeners: { kafkaSaslSsl: true },
  limitMs: { ci: 240_000, nightly: 900_000 },
  async run(h) {
    const sasl = h.endpoints.kafkaSaslSsl;
    if (sasl === undefined) throw new Error("the private stack has no SASL_SSL listener");
    const s = SIZES[h.size];
    await h.prepare(s.partitions);
    const w = makeWorkload({ keys: s.keys, changesPerKey: s.changesPerKey, replays: s.keys / 10, seed: 20 });
    // Poison records, so that dead letters with their headers are written through SASL_SSL too.
    const poison = Array.from({ length: 3 }, (_, i) => ({
      key: pgKey(200_000 + i),
      value: Buffer.from(`{"op":"u","after":{"id":${200_000 + i}}`),
    }));
    const half = Math.floor(w.messages.length / 2);
    const ledger = await h.fill([...w.messages.slice(0, half), ...poison, ...w.messages.slice(half)]);
    // The topic may hold a poison record twice (a producer retry); count positions, as the ledger does.
    const poisonInTopic = ledger.entries.filter((e) => e.op === "poison").length;

    const scratch = mkdtempSync(join(tmpdir(), "cdc-security-"));
    const otlp = await startOtlpReceiver();
    try {
      const secrets = {
        sasl_password: sasl.password,
        wrong_password: canary("wrong-password"),
        aws_secret_access_key: canary("aws-secret"),
        aws_session_token: canary("aws-token"),
      };
      const passwordFile = join(scratch, "wrong-password");
      writeFileSync(passwordFile, `${secrets.wrong_password}\n`);
      const foreignCa = await makeCa(scratch, "foreign-ca", join(scratch, "openssl.log"));
      const aws = {
        AWS_SECRET_ACCESS_KEY: secrets.aws_secret_access_key,
        AWS_SESSION_TOKEN: secrets.aws_session_token,
      };
      const withoutPassword = {
        ...aws,
        KAFKA_BROKERS: sasl.brokers,
        KAFKA_SSL: "true",
        KAFKA_SSL_CA_FILE: sasl.caFile,
        KAFKA_SASL_MECHANISM: sasl.mechanism,
        KAFKA_SASL_USERNAME: sasl.username,
      };
      const saslEnv = { ...withoutPassword, KAFKA_SASL_PASSWORD: sasl.password };
      const otel = {
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_METRIC_EXPORT_INTERVAL: "1000",
        OTEL_BSP_SCHEDULE_DELAY: "200",
      };

      // Fail closed: each misconfiguration ends the process non-zero, naming the cause, before it joins.
      const refusals = [
        await mustRefuse(
          h,
          "wrong password",
          { ...withoutPassword, ...otel, KAFKA_SASL_PASSWORD_FILE: passwordFile },
          /"code":"kafka_auth".*refused authentication/,
        ),
        await mustRefuse(
          h,
          "unknown CA",
          { ...saslEnv, ...otel, KAFKA_SSL_CA_FILE: foreignCa.cert },
          /"code":"kafka_tls".*certificate/,
        ),
        // The same TLS + SASL settings pointed at the plaintext port: no downgrade, no plaintext session.
        await mustRefuse(
          h,
          "plaintext port",
          { ...saslEnv, ...otel, KAFKA_BROKERS: h.endpoints.kafkaBrokers },
          /"code":"kafka_tls"/,
        ),
      ];

      // The right password and CA: the workload is processed through SASL_SSL.
      const good = h.consumer({ ...saslEnv, ...otel, LOG_LEVEL: "debug" });
      await h.waitCaughtUp(120_000);
      const environ = readFileSync(`/proc/${good.proc.child.pid}/environ`, "utf8");
      await h.stop(good);
      const deadLetters = await readDeadLetters(h.endpoints.kafkaBrokers, h.dlq, poisonInTopic);

      const logs = [...refusals.map((r) => r.output), good.proc.output()];
      const spans = otlp.spans().length;
      const payloads = otlp.requests.map((r) => `${JSON.stringify(r.headers)}\n${r.body}`);
      const headers = deadLetters.map((d) => JSON.stringify(d.headers));
      const inLogs = countCanaries(secrets, logs);
      const inTelemetry = countCanaries(secrets, payloads);
      const inDlq = countCanaries(secrets, headers);
      // The control: the canaries really were handed to the sink (so 0 below means kept, not absent).
      const handed = countCanaries(
        {
          sasl_password: sasl.password,
          aws_secret_access_key: secrets.aws_secret_access_key,
          aws_session_token: secrets.aws_session_token,
        },
        [environ],
      );
      const total = (counts: Record<string, number>): number =>
        Object.values(counts).reduce((a, b) => a + b, 0);
      const describe = (counts: Record<string, number>): string =>
        Object.entries(counts)
          .map(([k, v]) => `${k}=${v}`)
          .join(",");
      for (const r of refusals.filter((x) => !x.ok))
        process.stderr.write(`--- ${r.name} (exit ${r.code})\n${r.output.slice(-3000)}\n`);
      return {
        faults:
          `3 refused configurations ` +
          `(${refusals.map((r) => `${r.name}: exit ${r.code} in ${r.ms} ms`).join("; ")}); SASL_SSL ` +
          `run with ${poison.length} poison records; ${logs.join("").split("\n").length} log lines, ` +
          `${otlp.requests.length} OTLP requests (${spans} spans, ${otlp.logs().length} log records), ` +
          `${deadLetters.length} dead letters searched; canaries found: logs=${total(inLogs)} ` +
          `otlp=${total(inTelemetry)} dlq_headers=${total(inDlq)}`,
        checks: [
          // The CLI exports OTLP when an endpoint is set: with no spans the search above would prove nothing.
          [`spans were exported to the loopback receiver (${spans})`, spans > 0],
          ...refusals.map((r): [string, boolean] => [
            `${r.name}: fails closed (exit ${r.code}, ${r.ms} ms, cause named, never joined)`,
            r.ok,
          ]),
          [`canaries handed to the sink (${describe(handed)})`, Object.values(handed).every((n) => n > 0)],
          [`canaries in logs: ${describe(inLogs)}`, total(inLogs) === 0],
          [`canaries in OTLP payloads: ${describe(inTelemetry)}`, total(inTelemetry) === 0],
          [`canaries in DLQ headers: ${describe(inDlq)}`, total(inDlq) === 0],
          [
            `all ${poisonInTopic} poison records dead-lettered through SASL_SSL (${poison.length} produced)`,
            poisonInTopic >= poison.length &&
              deadLetters.length === poisonInTopic &&
              good.summary?.dead_lettered === poisonInTopic,
          ],
        ],
      };
    } finally {
      await otlp.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};
