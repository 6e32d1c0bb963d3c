// Two ceiling arms without Kafka, one loop: `inFlight` workers send the product's conditional PutItem
// (buildPut, ReturnConsumedCapacity TOTAL: the bytes B-ours sends) for the benchmark's pre-decoded
// stream to the responder, and read each reply.
//   - floor: the body as JSON, signed by hand (sigv4.ts), sent with node:http and a keep-alive
//     agent: what any Node client must spend at least;
//   - sdk: the same writes through the product's DynamoDB client (createDynamoClient).
// Client CPU is this process's user + system time (process.cpuUsage) over the window.
//   node bench/ceiling/loop.ts '<json LoopRequest>'  → one `RESULT {json}` line on stdout.

import { Agent, request } from "node:http";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { createDynamoClient } from "../../src/adapters/dynamodb/client.ts";
import { buildPut, type ItemOptions } from "../../src/core/item.ts";
import { decodeStream } from "../store.ts";
import type { StreamOptions } from "../workload.ts";
import { sigv4Signer } from "./sigv4.ts";
import { sendPut } from "../../src/adapters/dynamodb/wire.ts";

export type LoopRequest = {
  arm: "floor" | "sdk" | "direct";
  endpoint: string;
  stream: StreamOptions;
  inFlight: number;
  seconds: number;
  warmup: number;
};
export type LoopResult = { writes: number; seconds: number; rate: number; cpuMsPerWrite: number };

const OPTIONS: ItemOptions = {
  table: "ceiling",
  keyAttribute: "pk",
  ttlAttribute: "_cdc_expires_at",
  tombstoneTtlSeconds: 0,
  compression: "none",
};
const CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

type Put = (input: ReturnType<typeof buildPut>) => Promise<unknown>;

function rawPut(endpoint: string, inFlight: number): Put {
  const url = new URL(endpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight, keepAliveMsecs: 1000 });
  const sign = sigv4Signer("us-east-1", "dynamodb", CREDENTIALS);
  return (input) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ ...input, ReturnConsumedCapacity: "TOTAL" });
      const headers = sign(url.host, "DynamoDB_20120810.PutItem", body);
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: "POST",
          path: "/",
          headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const reply = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
            if (res.statusCode === 200) resolve(reply);
            else reject(new Error(`HTTP ${res.statusCode}`));
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
}

function sdkPut(endpoint: string, inFlight: number, direct: boolean): Put {
  const client = createDynamoClient({
    region: "us-east-1",
    endpoint,
    requestTimeoutMs: 10_000,
    maxSockets: inFlight,
    credentials: CREDENTIALS,
    writeClient: direct ? "direct" : "sdk",
  });
  return (input) =>
    direct
      ? sendPut(client, { ...input, ReturnConsumedCapacity: "TOTAL" })
      : client.send(new PutItemCommand({ ...input, ReturnConsumedCapacity: "TOTAL" }));
}

export async function runLoop(r: LoopRequest): Promise<LoopResult> {
  const entries = decodeStream(r.stream).filter((e) => e !== null);
  const put =
    r.arm === "floor" ? rawPut(r.endpoint, r.inFlight) : sdkPut(r.endpoint, r.inFlight, r.arm === "direct");
  const windowStart = performance.now() + r.warmup * 1000;
  const deadline = windowStart + r.seconds * 1000;
  let next = 0;
  let writes = 0;
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const e = entries[next++ % entries.length]!;
      await put(buildPut(e.event, e.at, OPTIONS, Date.now()));
      if (performance.now() < windowStart) continue;
      cpuAtStart ??= process.cpuUsage();
      writes++;
    }
  };
  await Promise.all(Array.from({ length: r.inFlight }, worker));
  const cpu = process.cpuUsage(cpuAtStart);
  const seconds = (performance.now() - windowStart) / 1000;
  return { writes, seconds, rate: writes / seconds, cpuMsPerWrite: (cpu.user + cpu.system) / 1000 / writes };
}

if (import.meta.main) {
  const result = await runLoop(JSON.parse(process.argv[2] ?? "{}") as LoopRequest);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}
