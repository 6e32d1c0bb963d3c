// Canary secrets and where to look for them: a secret handed to the sink must never come back out
// in a log line, an exported span/log/metric, or a dead-letter header. A canary is counted in its
// plain form and in the encodings a careless serializer would produce (base64, hex, JSON-escaped).

import { randomBytes } from "node:crypto";
import kafkajs from "kafkajs";
import type { IHeaders } from "kafkajs";

const { Kafka, logLevel } = kafkajs;

/** A recognisable secret: `canary-<what>-<random hex>`, unique per run. */
export function canary(what: string): string {
  return `canary-${what}-${randomBytes(12).toString("hex")}`;
}

function forms(secret: string): string[] {
  const plain = Buffer.from(secret);
  return [secret, plain.toString("base64"), plain.toString("hex"), JSON.stringify(secret).slice(1, -1)];
}

/** How often each secret (in any of its forms) occurs in the texts: the assertion is 0 for all. */
export function countCanaries(
  secrets: Record<string, string>,
  texts: readonly string[],
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [name, secret] of Object.entries(secrets)) {
    let n = 0;
    for (const text of texts) for (const form of new Set(forms(secret))) n += text.split(form).length - 1;
    counts[name] = n;
  }
  return counts;
}

export type DeadLetter = { headers: Record<string, string>; value: string };

/** Reads the first `count` records of a DLQ topic (one partition) over the plaintext listener. */
export async function readDeadLetters(
  brokers: string,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<DeadLetter[]> {
  const kafka = new Kafka({
    clientId: "security-dlq-reader",
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `security-dlq-${randomBytes(4).toString("hex")}` });
  const out: DeadLetter[] = [];
  const text = (headers: IHeaders | undefined): Record<string, string> =>
    Object.fromEntries(
      Object.entries(headers ?? {}).map(([k, v]) => [
        k,
        Array.isArray(v) ? v.map(String).join(",") : String(v ?? ""),
      ]),
    );
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`only ${out.length} of ${count} dead letters on ${topic} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          out.push({ headers: text(message.headers), value: message.value?.toString("utf8") ?? "" });
          if (out.length >= count) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
    await done;
  } finally {
    await consumer.disconnect();
  }
  return out;
}
