// Regime R: a TCP proxy in front of the store (dynoxide) that holds every chunk from client to server for
// a fixed delay before forwarding it, so each HTTP request arrives `delayMs` later — the round trip
// of a real AWS region, while keep-alive connections and pipelining behave as they would there.
// Loopback only; bounded: at most `maxConnections` sockets, and a connection whose held bytes pass
// `maxHeldBytes` stops being read until they drain.
//
// Run alone: node bench/delay-proxy.ts <target-url> <delay-ms>  (prints {"endpoint": ...} once listening)

import { createServer, connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export type DelayProxy = { endpoint: string; close(): Promise<void> };

export async function startDelayProxy(
  target: string,
  delayMs: number,
  maxConnections = 1024,
  maxHeldBytes = 8 << 20,
): Promise<DelayProxy> {
  const upstream = new URL(target);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(upstream.hostname))
    throw new Error(`the delay proxy forwards to loopback only, not ${upstream.hostname}`);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const server = connect({ host: upstream.hostname.replace(/^\[|\]$/g, ""), port: Number(upstream.port) });
    sockets.add(client).add(server);
    client.setNoDelay(true);
    server.setNoDelay(true);
    let held = 0;
    client.on("data", (chunk: Buffer) => {
      held += chunk.length;
      if (held > maxHeldBytes) client.pause();
      // Same delay for every chunk: timers of equal duration fire in order, so bytes stay in order.
      setTimeout(() => {
        held -= chunk.length;
        if (!server.destroyed) server.write(chunk);
        if (held <= maxHeldBytes && client.isPaused()) client.resume();
      }, delayMs);
    });
    server.pipe(client);
    const end = (): void => {
      setTimeout(() => {
        client.destroy();
        server.destroy();
        sockets.delete(client);
        sockets.delete(server);
      }, delayMs);
    };
    client.on("close", end).on("error", end);
    server.on("close", end).on("error", end);
  });
  server.maxConnections = maxConnections;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.main) {
  const [target, delay] = process.argv.slice(2);
  if (target === undefined || delay === undefined)
    throw new Error("usage: node bench/delay-proxy.ts <target-url> <delay-ms>");
  const proxy = await startDelayProxy(target, Number(delay));
  process.stdout.write(`${JSON.stringify({ endpoint: proxy.endpoint })}\n`);
  process.once("SIGTERM", () => void proxy.close().then(() => process.exit(0)));
}
