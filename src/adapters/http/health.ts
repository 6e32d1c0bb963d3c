// /livez: the process and its consumer are alive (a crashed consumer ends the process anyway).
// /readyz: joined to the group, table reachable, not stuck. /metrics: Prometheus text.
// /debug/state: the engine's state as JSON (held partitions, pauses, writes in flight), so a member
// that went quiet can say why.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type HealthState = {
  live(): boolean;
  ready(): { ready: boolean; reasons: string[] };
  metrics(): Promise<string> | string;
  debug?(): unknown;
};

export async function startHealthServer(
  state: HealthState,
  host: string,
  port: number,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const reply = (status: number, body: string, type = "application/json"): void => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    if (path === "/livez") {
      const live = state.live();
      return reply(live ? 200 : 503, JSON.stringify({ live }));
    }
    if (path === "/readyz") {
      const r = state.ready();
      return reply(r.ready ? 200 : 503, JSON.stringify(r));
    }
    if (path === "/metrics") {
      Promise.resolve(state.metrics()).then(
        (text) => reply(200, text, "text/plain; version=0.0.4"),
        (err: unknown) => reply(500, String(err), "text/plain"),
      );
      return;
    }
    if (path === "/debug/state" && state.debug !== undefined)
      return reply(200, JSON.stringify(state.debug()));
    const paths = ["/livez", "/readyz", "/metrics", ...(state.debug === undefined ? [] : ["/debug/state"])];
    reply(404, JSON.stringify({ error: "not found", paths }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    server,
    port: bound,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
