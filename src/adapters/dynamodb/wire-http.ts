// The direct write path's HTTP (wire.ts): one POST over the DynamoDB client's own keep-alive agents,
// with node:http and nothing around it. The SDK's NodeHttpHandler, which it replaces for writes, set
// up to five timers per request (socket-usage warning, connection, request, keep-alive, socket
// timeouts) and copied request and response headers into objects of its own: a twentieth of the
// sink's CPU per record (docs/performance.md, "Ceiling"). What of it changes behaviour is kept, as
// the handler does it: the connection timeout on a new socket, the socket's inactivity timeout
// (the SDK's DynamoDB default, 300 s), TCP keep-alive on the socket, and ECONNRESET, EPIPE and
// ETIMEDOUT named TimeoutError. Its request timeout only ever logged a warning (the client does not
// set throwOnRequestTimeout), so it has no counterpart here.

import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from "node:http";
import { request as httpsRequest, type Agent as HttpsAgent } from "node:https";
import type { Socket } from "node:net";

export type WireTransport = {
  readonly httpAgent: HttpAgent;
  readonly httpsAgent: HttpsAgent;
  /** A new socket that does not connect within this is destroyed (the handler's connectionTimeout). */
  readonly connectionTimeoutMs: number;
  /** A request whose socket is idle this long fails (the SDK's default socket timeout for DynamoDB). */
  readonly socketTimeoutMs: number;
  /** The agents' keepAliveMsecs: TCP keep-alive probes on each socket, as the handler sets them. */
  readonly keepAliveMsecs: number;
};

/** Where requests go: from the endpoint URL, once per endpoint. */
export type Target = {
  readonly https: boolean;
  readonly hostname: string;
  readonly port: number | undefined;
  readonly path: string;
};

export type WireResponse = {
  readonly status: number;
  readonly message: IncomingMessage;
  readonly text: string;
};

const TIMEOUT_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT"]);
/** Sockets already given TCP keep-alive, so it is set once per socket, not per request. */
const keptAlive = new WeakSet<Socket>();

export function targetOf(url: URL): Target {
  // An IPv6 literal arrives as "[::1]": node:http wants it without the brackets.
  const h = url.hostname;
  return {
    https: url.protocol === "https:",
    hostname: h.startsWith("[") && h.endsWith("]") ? h.slice(1, -1) : h,
    port: url.port === "" ? undefined : Number(url.port),
    path: url.pathname,
  };
}

function timeoutError(message: string): Error {
  return Object.assign(new Error(`@smithy/node-http-handler - ${message}`), { name: "TimeoutError" });
}

export function post(
  t: WireTransport,
  target: Target,
  headers: Record<string, string>,
  body: string,
): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const agent = target.https ? t.httpsAgent : t.httpAgent;
    const req = (target.https ? httpsRequest : httpRequest)(
      {
        agent,
        hostname: target.hostname,
        port: target.port,
        method: "POST",
        path: target.path,
        headers,
        timeout: t.socketTimeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? -1,
            message: res,
            text: chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code !== undefined && TIMEOUT_CODES.has(err.code)
          ? Object.assign(err, { name: "TimeoutError" })
          : err,
      ),
    );
    req.on("timeout", () => {
      const err = timeoutError(
        `the request socket timed out after ${t.socketTimeoutMs} ms of inactivity (service default socket timeout).`,
      );
      req.destroy(err);
      reject(err);
    });
    req.once("socket", (socket: Socket) => {
      if (!keptAlive.has(socket)) {
        keptAlive.add(socket);
        socket.setKeepAlive(true, t.keepAliveMsecs);
      }
      if (socket.connecting && t.connectionTimeoutMs > 0) {
        const timer = setTimeout(() => {
          const err = timeoutError(
            "the request socket did not establish a connection with the server within the " +
              `configured timeout of ${t.connectionTimeoutMs} ms.`,
          );
          req.destroy(err);
          reject(err);
        }, t.connectionTimeoutMs);
        socket.once("connect", () => clearTimeout(timer));
        req.once("close", () => clearTimeout(timer));
      }
    });
    req.end(body);
  });
}
