// No secret reaches a log line: kafkajs's own entries keep only a fixed list of fields, pino's
// redaction covers configuration objects, and the OpenTelemetry start-up line shows the endpoint
// without user info or query and never the exporter headers.

import assert from "node:assert/strict";
import { test } from "node:test";
import { logLevel } from "kafkajs";
import { kafkaLogCreator } from "../../../src/adapters/kafka/client.ts";
import { createLog } from "../../../src/telemetry/log.ts";
import { startTelemetry } from "../../../src/telemetry/otel.ts";

const CANARY = "canary-7f3a9c1e";

function capture() {
  let text = "";
  const log = createLog("debug", {
    write: (chunk: string) => ((text += chunk), true),
  } as unknown as NodeJS.WritableStream);
  return { log, text: () => text };
}

test("kafkajs log entries lose every field outside the safe list, SASL settings included", () => {
  const { log, text } = capture();
  const entry = {
    namespace: "Connection",
    level: logLevel.ERROR,
    label: "ERROR",
    log: {
      timestamp: "now",
      message: "SASL authentication failed",
      broker: "b:9092",
      sasl: { mechanism: "plain", username: "u", password: CANARY },
      request: { password: CANARY },
      payload: CANARY,
    },
  };
  kafkaLogCreator(log)(logLevel.ERROR)(entry);
  assert.match(text(), /SASL authentication failed/);
  assert.match(text(), /"broker":"b:9092"/);
  assert.ok(!text().includes(CANARY), text());
});

test("configuration objects logged by mistake are redacted", () => {
  const { log, text } = capture();
  log.info(
    {
      kafka: { sasl: { mechanism: "plain", password: CANARY } },
      credentials: { secretAccessKey: CANARY, sessionToken: CANARY },
      headers: { authorization: CANARY },
    },
    "config",
  );
  assert.ok(!text().includes(CANARY), text());
});

test("the OpenTelemetry start-up line names the endpoint without user info, query or headers", async () => {
  const env = {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://sink:${CANARY}@127.0.0.1:9/otlp?api_key=${CANARY}`,
    OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer ${CANARY}`,
    OTEL_TRACES_EXPORTER: "none",
    OTEL_METRICS_EXPORTER: "none",
    OTEL_LOGS_EXPORTER: "none",
  };
  // The SDK reads the process environment itself (this file runs in a process of its own).
  Object.assign(process.env, env);
  const { log, text } = capture();
  const telemetry = await startTelemetry(process.env, log);
  await telemetry.shutdown();
  const line = text()
    .split("\n")
    .find((l) => l.includes("telemetry: exporting with OpenTelemetry"));
  assert.ok(line !== undefined, text());
  assert.match(line, /"endpoint":"http:\/\/127\.0\.0\.1:9\/otlp"/);
  assert.ok(!text().includes(CANARY), text());
});
