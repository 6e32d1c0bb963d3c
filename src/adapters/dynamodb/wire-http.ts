// The direct write path's HTTP (wire.ts): each write one POST on a pooled keep-alive connection,
// written as one string and its answer parsed by http1.ts. node:http's client (ClientRequest,
// the agent's bookkeeping, IncomingMessage and its events) cost about 0.12 ms of CPU per request on
// the benchmark's machine, more than the rest of the request together (docs/performance.md,
// "Ceiling"); a connection here carries one request at a time, as node:http's do. Kept from the SDK
// handler, as it does them: the connection timeout on a new socket, the socket's inactivity timeout
// (the SDK's DynamoDB default, 300 s; an idle pooled socket that reaches it is closed), TCP
// keep-alive, and ECONNRESET, EPIPE and ETIMEDOUT (and a connection that closes mid-answer) named
// TimeoutError, which the SDK's retry classification reads as transient. TLS as https.Agent does it
// (certificate checked against the host name; its options are the client's https agent's).

import { connect as tcpConnect, type Socket } from "node:net";
import { connect as tlsConnect, type ConnectionOptions } from "node:tls";
import { isIP } from "node:net";
import { Http1Parser, requestText, type Http1Response } from "./http1.ts";

export type WireTransport = {
  /** Connections per endpoint, at most (the client's maxSockets: the in-flight limit). */
  readonly maxSockets: number;
  /** A new socket that does not connect within this is destroyed (the handler's connectionTimeout). */
  readonly connectionTimeoutMs: number;
  /** A request whose socket is idle this long fails (the SDK's default socket timeout for DynamoDB). */
  readonly socketTimeoutMs: number;
  /** TCP keep-alive probes on each socket, as the agents set them. */
  readonly keepAliveMsecs: number;
  /** TLS options for https endpoints (the client's https agent's), beside the host name. */
  readonly tls?: ConnectionOptions | undefined;
};

/** Where requests go: from the endpoint URL, once per endpoint. */
export type Target = {
  readonly https: boolean;
  readonly hostname: string;
  readonly port: number | undefined;
  readonly path: string;
};

export type WireResponse = Http1Response;

const TIMEOUT_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT"]);

export function targetOf(url: URL): Target {
  // An IPv6 literal arrives as "[::1]": sockets want it without the brackets.
  const h = url.hostname;
  return {
    https: url.protocol === "https:",
    hostname: h.startsWith("[") && h.endsWith("]") ? h.slice(1, -1) : h,
    port: url.port === "" ? undefined : Number(url.port),
    path: url.pathname,
  };
}

function timeoutError(message: string, code?: string): Error {
  const err = Object.assign(new Error(`@smithy/node-http-handler - ${message}`), { name: "TimeoutError" });
  return code === undefined ? err : Object.assign(err, { code });
}

type Pending = { resolve: (r: WireResponse) => void; reject: (e: Error) => void };

/** One keep-alive connection: one request at a time. */
class Connection {
  readonly socket: Socket;
  readonly #parser = new Http1Parser();
  #pending: Pending | undefined;
  #onDone: (c: Connection, reusable: boolean) => void;
  #dead = false;

  constructor(socket: Socket, onDone: (c: Connection, reusable: boolean) => void) {
    this.socket = socket;
    this.#onDone = onDone;
    socket.on("data", (d: Buffer) => this.#data(d));
    socket.on("end", () => this.#ended());
    socket.on("close", () => this.#fail(timeoutError("socket hang up", "ECONNRESET")));
    socket.on("error", (err: NodeJS.ErrnoException) =>
      this.#fail(
        err.code !== undefined && TIMEOUT_CODES.has(err.code)
          ? Object.assign(err, { name: "TimeoutError" })
          : err,
      ),
    );
    socket.on("timeout", () =>
      this.#fail(
        timeoutError(
          `the request socket timed out after ${socket.timeout} ms of inactivity (service default socket timeout).`,
        ),
      ),
    );
  }

  get dead(): boolean {
    return this.#dead;
  }

  send(request: string, pending: Pending): void {
    this.#pending = pending;
    this.socket.ref();
    this.socket.write(request);
  }

  #data(d: Buffer): void {
    let res: WireResponse | undefined;
    try {
      res = this.#parser.feed(d);
      if (res !== undefined && this.#pending === undefined) throw new Error("an answer nobody asked for");
    } catch (err) {
      this.#fail(err as Error);
      return;
    }
    if (res === undefined) return;
    const p = this.#pending!;
    this.#pending = undefined;
    if (!res.keepAlive) this.#kill();
    this.#onDone(this, res.keepAlive);
    p.resolve(res);
  }

  #ended(): void {
    const res = this.#pending === undefined ? undefined : this.#parser.end();
    if (res === undefined) {
      this.#fail(timeoutError("socket hang up", "ECONNRESET"));
      return;
    }
    const p = this.#pending!;
    this.#pending = undefined;
    this.#kill();
    this.#onDone(this, false);
    p.resolve(res);
  }

  /** The connection is unusable: the request on it (if any) fails, the pool forgets it. */
  #fail(err: Error): void {
    const p = this.#pending;
    this.#pending = undefined;
    const wasDead = this.#dead;
    this.#kill();
    if (!wasDead) this.#onDone(this, false);
    p?.reject(err);
  }

  #kill(): void {
    if (this.#dead) return;
    this.#dead = true;
    this.socket.destroy();
  }

  destroy(): void {
    this.#fail(timeoutError("the client was destroyed", "ECONNRESET"));
  }
}

/** Keep-alive connections to one endpoint, at most maxSockets; requests beyond wait in order. */
class Pool {
  readonly #t: WireTransport;
  readonly #target: Target;
  readonly #idle: Connection[] = [];
  readonly #all = new Set<Connection>();
  readonly #waiting: { request: string; pending: Pending }[] = [];

  constructor(t: WireTransport, target: Target) {
    this.#t = t;
    this.#target = target;
  }

  post(request: string): Promise<WireResponse> {
    return new Promise((resolve, reject) => {
      const pending = { resolve, reject };
      const idle = this.#idle.pop();
      if (idle !== undefined) idle.send(request, pending);
      else if (this.#all.size < this.#t.maxSockets) this.#open().send(request, pending);
      else this.#waiting.push({ request, pending });
    });
  }

  destroy(): void {
    for (const c of this.#all) c.destroy();
    for (const w of this.#waiting.splice(0)) w.pending.reject(timeoutError("the client was destroyed"));
  }

  #open(): Connection {
    const { hostname, https } = this.#target;
    const port = this.#target.port ?? (https ? 443 : 80);
    const socket = https
      ? tlsConnect({
          ...this.#t.tls,
          host: hostname,
          port,
          // RFC 6066 §3: SNI carries host names only, never an address literal.
          ...(isIP(hostname) === 0 ? { servername: hostname } : {}),
          ALPNProtocols: ["http/1.1"],
        })
      : tcpConnect({ host: hostname, port });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, this.#t.keepAliveMsecs);
    socket.setTimeout(this.#t.socketTimeoutMs);
    const c = new Connection(socket, (conn, reusable) => this.#done(conn, reusable));
    this.#all.add(c);
    if (this.#t.connectionTimeoutMs > 0) {
      const timer = setTimeout(
        () =>
          socket.destroy(
            timeoutError(
              "the request socket did not establish a connection with the server within the " +
                `configured timeout of ${this.#t.connectionTimeoutMs} ms.`,
            ),
          ),
        this.#t.connectionTimeoutMs,
      );
      socket.once("connect", () => clearTimeout(timer));
      socket.once("close", () => clearTimeout(timer));
    }
    return c;
  }

  /** A request ended on `c`: hand it to the next waiting request, or keep it idle (not holding the process). */
  #done(c: Connection, reusable: boolean): void {
    if (!reusable || c.dead) {
      this.#all.delete(c);
      const i = this.#idle.indexOf(c);
      if (i >= 0) this.#idle.splice(i, 1);
      const next = this.#waiting.shift();
      if (next !== undefined) this.#open().send(next.request, next.pending);
      return;
    }
    const next = this.#waiting.shift();
    if (next !== undefined) {
      c.send(next.request, next.pending);
      return;
    }
    c.socket.unref();
    this.#idle.push(c);
  }
}

/** The direct path's connections, one pool per endpoint. */
export class WireHttp {
  readonly #t: WireTransport;
  /** By scheme, host and port: the endpoint is resolved afresh every minute, into a new Target. */
  readonly #pools = new Map<string, Pool>();

  constructor(t: WireTransport) {
    this.#t = t;
  }

  post(target: Target, headers: Record<string, string>, body: string): Promise<WireResponse> {
    const origin = `${target.https ? "https" : "http"}://${target.hostname}:${target.port ?? ""}`;
    let pool = this.#pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(this.#t, target);
      this.#pools.set(origin, pool);
    }
    return pool.post(requestText(target.path, headers, body));
  }

  /** Closes every connection; requests in flight or waiting fail. */
  destroy(): void {
    for (const p of this.#pools.values()) p.destroy();
    this.#pools.clear();
  }
}
