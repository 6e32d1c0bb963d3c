// A TCP fault proxy on loopback, for the "slow Kafka network" scenario: every chunk can be delayed
// (latency with jitter, order kept), the link can go silent (a black hole: connections are
// accepted and held, nothing moves, like a partition that TCP survives by retransmitting), and
// connections can be reset (RST). Every fault is bounded: it takes a duration and the proxy
// returns to normal by itself when it runs out. Listens on 127.0.0.1 and forwards only to loopback.

import { Socket, createServer, isIP, type Server } from "node:net";

export type ProxyStats = {
  connections: number;
  resets: number;
  bytesUp: number;
  bytesDown: number;
  delayedChunks: number;
  maxDelayMs: number;
  /** Connections that were open or opened while a black hole lasted (each one stalled). */
  stalledConnections: number;
};

type Mode = { kind: "normal" } | { kind: "latency"; minMs: number; maxMs: number } | { kind: "blackhole" };

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

export function assertLoopback(host: string): void {
  if (!LOOPBACK.has(host) && !(isIP(host) === 4 && host.startsWith("127."))) {
    throw new Error(`tcp-proxy forwards to loopback only, not ${host}`);
  }
}

/** One direction of one connection: chunks queue with their due time; order is always kept. */
class Pipe {
  readonly #queue: { at: number; chunk: Buffer }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #last = 0;
  #ended = false;
  readonly #from: Socket;
  readonly #to: Socket;
  readonly #proxy: TcpProxy;
  readonly #count: (n: number) => void;

  constructor(from: Socket, to: Socket, proxy: TcpProxy, count: (n: number) => void) {
    this.#from = from;
    this.#to = to;
    this.#proxy = proxy;
    this.#count = count;
    from.on("data", (chunk: Buffer) => this.#push(chunk));
    from.on("end", () => {
      this.#ended = true;
      this.pump();
    });
  }

  #push(chunk: Buffer): void {
    const mode = this.#proxy.mode;
    const delay = mode.kind === "latency" ? mode.minMs + Math.random() * (mode.maxMs - mode.minMs) : 0;
    if (delay > 0) this.#proxy.stats.delayedChunks++;
    this.#proxy.stats.maxDelayMs = Math.max(this.#proxy.stats.maxDelayMs, Math.round(delay));
    const at = Math.max(Date.now() + delay, this.#last);
    this.#last = at;
    this.#queue.push({ at, chunk });
    if (mode.kind === "blackhole") this.#from.pause();
    this.pump();
  }

  /** Writes every chunk that is due, unless the link is a black hole; arms a timer for the next. */
  pump(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#proxy.mode.kind === "blackhole") {
      this.#from.pause();
      return;
    }
    if (this.#from.isPaused() && !this.#from.destroyed) this.#from.resume();
    const now = Date.now();
    while (this.#queue.length > 0 && this.#queue[0]!.at <= now) {
      const { chunk } = this.#queue.shift()!;
      this.#count(chunk.length);
      if (!this.#to.destroyed) this.#to.write(chunk);
    }
    if (this.#queue.length > 0) this.#timer = setTimeout(() => this.pump(), this.#queue[0]!.at - now);
    else if (this.#ended && !this.#to.destroyed) this.#to.end();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#queue.length = 0;
  }
}

type Link = { client: Socket; upstream: Socket; pipes: Pipe[] };

export class TcpProxy {
  mode: Mode = { kind: "normal" };
  readonly stats: ProxyStats = {
    connections: 0,
    resets: 0,
    bytesUp: 0,
    bytesDown: 0,
    delayedChunks: 0,
    maxDelayMs: 0,
    stalledConnections: 0,
  };
  readonly #links = new Set<Link>();
  readonly #server: Server;
  readonly #target: { host: string; port: number };
  #faultTimer: NodeJS.Timeout | undefined;
  #resetTimer: NodeJS.Timeout | undefined;
  #faultEnded: (() => void) | undefined;

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#server = createServer((client) => this.#accept(client));
  }

  /** Listens on 127.0.0.1:`port` (0 = any free port) and forwards to `target` ("host:port", loopback). */
  static async start(target: string, port = 0): Promise<TcpProxy> {
    const [host, portText] = [
      target.slice(0, target.lastIndexOf(":")),
      target.slice(target.lastIndexOf(":") + 1),
    ];
    assertLoopback(host);
    const proxy = new TcpProxy({ host, port: Number(portText) });
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once("error", reject);
      proxy.#server.listen({ port, host: "127.0.0.1", exclusive: true }, resolve);
    });
    return proxy;
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === "object" && address !== null ? address.port : 0;
  }

  get openConnections(): number {
    return this.#links.size;
  }

  #accept(client: Socket): void {
    this.stats.connections++;
    const upstream = new Socket();
    const link: Link = { client, upstream, pipes: [] };
    this.#links.add(link);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    link.pipes.push(
      new Pipe(client, upstream, this, (n) => (this.stats.bytesUp += n)),
      new Pipe(upstream, client, this, (n) => (this.stats.bytesDown += n)),
    );
    const close = (): void => {
      if (!this.#links.delete(link)) return;
      for (const p of link.pipes) p.stop();
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
    // Written before the upstream connects: the socket buffers it, as the kernel would.
    upstream.connect(this.#target.port, this.#target.host);
    if (this.mode.kind === "blackhole") {
      this.stats.stalledConnections++;
      client.pause();
      upstream.pause();
    }
  }

  /** Ends the current fault at once and lets every held chunk through. */
  normal(): void {
    clearTimeout(this.#faultTimer);
    clearInterval(this.#resetTimer);
    this.#faultTimer = this.#resetTimer = undefined;
    this.mode = { kind: "normal" };
    for (const link of this.#links) for (const p of link.pipes) p.pump();
    const ended = this.#faultEnded;
    this.#faultEnded = undefined;
    ended?.();
  }

  #fault(mode: Mode, forMs: number): Promise<void> {
    this.normal();
    this.mode = mode;
    return new Promise((resolve) => {
      this.#faultEnded = resolve;
      this.#faultTimer = setTimeout(() => this.normal(), forMs);
    });
  }

  /** Every chunk (both directions) waits a uniform random time in [minMs, maxMs]; order is kept. */
  latency(minMs: number, maxMs: number, forMs: number): Promise<void> {
    return this.#fault({ kind: "latency", minMs, maxMs }, forMs);
  }

  /** Nothing moves for `forMs`: new connections are accepted but held, open ones stall. */
  blackhole(forMs: number): Promise<void> {
    const ended = this.#fault({ kind: "blackhole" }, forMs);
    for (const link of this.#links) {
      this.stats.stalledConnections++;
      link.client.pause();
      link.upstream.pause();
    }
    return ended;
  }

  /** Sends RST on both sides of every open connection now; returns how many. */
  resetAll(): number {
    let n = 0;
    for (const link of [...this.#links]) {
      n++;
      this.#links.delete(link);
      for (const p of link.pipes) p.stop();
      if (!link.client.destroyed) link.client.resetAndDestroy();
      if (!link.upstream.destroyed) link.upstream.resetAndDestroy();
    }
    this.stats.resets += n;
    return n;
  }

  /** For `forMs`, resets every open connection each `everyMs` (clients reconnect in between). */
  resets(everyMs: number, forMs: number): Promise<void> {
    const ended = this.#fault({ kind: "normal" }, forMs);
    this.resetAll();
    this.#resetTimer = setInterval(() => this.resetAll(), everyMs);
    return ended;
  }

  async close(): Promise<void> {
    this.normal();
    for (const link of this.#links) {
      link.client.destroy();
      link.upstream.destroy();
    }
    this.#links.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
