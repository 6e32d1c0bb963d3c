// One DynamoDB client per process: keep-alive sockets sized to the in-flight limit, a request
// timeout, and no SDK retries — the processor's retrier is the only retry loop, so a throttled
// write is never retried by two loops at once (the one retry policy is src/engine/retry.ts).

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { attachWire } from "./wire.ts";

export type DynamoClientOptions = {
  readonly region: string;
  readonly endpoint?: string | undefined;
  readonly requestTimeoutMs: number;
  readonly maxSockets: number;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** `direct` (default): writes take the direct path of wire.ts; `sdk`: every call is client.send. */
  readonly writeClient?: "direct" | "sdk" | undefined;
};

/** The SDK's DynamoDB client's default socket timeout (its handler's defaultSocketTimeout). */
const SOCKET_TIMEOUT_MS = 300_000;

export function createDynamoClient(o: DynamoClientOptions): DynamoDBClient {
  const agentOptions = { keepAlive: true, maxSockets: o.maxSockets, keepAliveMsecs: 1000 };
  const httpAgent = new HttpAgent(agentOptions);
  const httpsAgent = new HttpsAgent(agentOptions);
  const client = new DynamoDBClient({
    region: o.region,
    ...(o.endpoint === undefined ? {} : { endpoint: o.endpoint }),
    ...(o.credentials === undefined ? {} : { credentials: o.credentials }),
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      httpAgent,
      httpsAgent,
      connectionTimeout: o.requestTimeoutMs,
      // Past requestTimeout the SDK only warns and the request goes on (its default): cutting slow
      // writes of an overloaded store and resending them makes the overload worse (measured: a
      // retry storm on DynamoDB Local). A write that never answers is caught by the stuck watchdog.
      requestTimeout: o.requestTimeoutMs,
    }),
  });
  // The direct path has connections of its own (wire-http.ts), as many as the agents allow, with the
  // handler's timeouts and the https agent's TLS options.
  if (o.writeClient !== "sdk")
    attachWire(client, {
      maxSockets: o.maxSockets,
      tls: httpsAgent.options,
      connectionTimeoutMs: o.requestTimeoutMs,
      socketTimeoutMs: SOCKET_TIMEOUT_MS,
      keepAliveMsecs: agentOptions.keepAliveMsecs,
    });
  return client;
}
