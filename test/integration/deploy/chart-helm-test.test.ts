// The `helm test` pod's script, run for real (with this repository's Node 24, as in the image)
// against a local stand-in for the Service: it passes once /readyz answers 200 and fails when the
// service never becomes ready.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT, VARIANTS, only, render } from "./deploy-support.ts";

const pod = only(render(VARIANTS[0]!).objects, "Pod");
const container = (pod.spec?.["containers"] as { command: string[] }[])[0]!;
const NODE = join(ROOT, "node_modules", ".bin", "node");

/** Serves /readyz with the given statuses in turn (the last one repeats); runs the test script. */
async function runAgainst(
  statuses: number[],
  timeoutSeconds: number,
): Promise<{ code: number | null; hits: number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    res.statusCode = req.url === "/readyz" ? (statuses[Math.min(hits++, statuses.length - 1)] ?? 500) : 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    assert.equal(container.command[0], "node");
    const child = spawn(NODE, container.command.slice(1), {
      env: { READYZ_URL: `http://127.0.0.1:${port}/readyz`, TIMEOUT_SECONDS: String(timeoutSeconds) },
      stdio: "ignore",
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    return { code, hits };
  } finally {
    server.close();
  }
}

test("helm test pod: succeeds once /readyz turns 200", async () => {
  const r = await runAgainst([503, 200], 30);
  assert.equal(r.code, 0);
  assert.equal(r.hits, 2);
});

test("helm test pod: fails when /readyz stays unready past its timeout", async () => {
  const r = await runAgainst([503], 1);
  assert.equal(r.code, 1);
  assert.ok(r.hits >= 1);
});
