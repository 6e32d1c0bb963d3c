// When each item became durable, as the sink saw it: a TCP relay between the sink and the store
// that notes, per item key, when the store's successful reply to the request carrying it came
// back. G5 is produce → durable; the item's `_cdc_written_at` is stamped when the sink builds the
// request, before it is sent, so it leaves out the write's round trip (10 ms and more in regime R).
//
// It reads HTTP/1.1 as Node's agent speaks it: one request at a time per connection (no
// pipelining), so a reply answers the connection's last request, and a reply's first chunk starts
// with its status line. The relay adds a loopback hop, so its times are a little late, never early.

import { connect, createServer, type AddressInfo, type Socket } from "node:net";

export type ReplyClock = {
  readonly endpoint: string;
  /** Item key → when a 2xx reply to a request carrying it arrived (the last one, after retries). */
  readonly durableAt: ReadonlyMap<string, number>;
  close(): Promise<void>;
};

/** Item keys in a request body: `"<keyAttribute>":{"S":"<key>"}` (several in a transaction). */
export function itemKeys(request: string, keyAttribute: string): string[] {
  const pattern = new RegExp(`"${keyAttribute}":\\{"S":"((?:[^"\\\\]|\\\\.)*)"\\}`, "g");
  return [...request.matchAll(pattern)].map((m) => JSON.parse(`"${m[1]!}"`) as string);
}

export async function startReplyClock(target: string, keyAttribute = "pk"): Promise<ReplyClock> {
  const upstream = new URL(target);
  const durableAt = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const store = connect({ host: upstream.hostname.replace(/^\[|\]$/g, ""), port: Number(upstream.port) });
    sockets.add(client).add(store);
    client.setNoDelay(true);
    store.setNoDelay(true);
    let request = "";
    client.on("data", (chunk: Buffer) => {
      // Only the first 64 KB of a request are kept: the keys of a PutItem come early, and a
      // transaction's 100 items of ~1 KB fit.
      if (request.length < 65_536) request += chunk.toString("latin1");
      store.write(chunk);
    });
    store.on("data", (chunk: Buffer) => {
      const at = Date.now();
      const head = chunk.toString("latin1", 0, 12);
      if (head.startsWith("HTTP/1.")) {
        if (head[9] === "2") for (const key of itemKeys(request, keyAttribute)) durableAt.set(key, at);
        request = "";
      }
      client.write(chunk);
    });
    const end = (): void => {
      client.destroy();
      store.destroy();
      sockets.delete(client);
      sockets.delete(store);
    };
    client.on("close", end).on("error", end);
    store.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    durableAt,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
