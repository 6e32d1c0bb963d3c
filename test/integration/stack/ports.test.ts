// Every process of the local stack listens only on the loopback ports the stack assigned it
// (stack.json): a fixed port (a framework's default management port, say) makes a second stack on
// the same machine — a CI run beside a developer's, two test runs — fail to start.
import assert from "node:assert/strict";
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { StackState } from "../../../tools/stack/state.ts";

type Listener = { address: string; port: number };

/** Listening TCP sockets by inode, from /proc/net/tcp{,6} (state 0A is LISTEN). */
function listeningSockets(): Map<string, Listener> {
  const sockets = new Map<string, Listener>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== "0A") continue;
      const [hexAddress, hexPort] = cols[1]!.split(":");
      sockets.set(cols[9]!, { address: loopbackName(hexAddress!), port: parseInt(hexPort!, 16) });
    }
  }
  return sockets;
}

/** "loopback" for 127.0.0.0/8, ::1 and ::ffff:127.x.x.x; the hex text otherwise. */
function loopbackName(hex: string): string {
  if (hex.length === 8) return hex.endsWith("7F") ? "loopback" : hex; // little-endian IPv4
  if (hex === "00000000000000000000000001000000") return "loopback";
  if (hex.startsWith("0000000000000000FFFF0000") && hex.endsWith("7F")) return "loopback";
  return hex;
}

/** The socket inodes a process holds open. */
function socketInodes(pid: number): string[] {
  const inodes: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed between the listing and the read
    }
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m !== null) inodes.push(m[1]!);
  }
  return inodes;
}

void test("every stack process listens only on its assigned loopback ports", () => {
  const dir = process.env.CDC_SINK_STACK_DIR;
  assert.ok(dir !== undefined && dir !== "", "run through npm test: CDC_SINK_STACK_DIR names the stack");
  const state = JSON.parse(readFileSync(join(dir, "stack.json"), "utf8")) as StackState;
  const assigned = new Set(Object.values(state.ports));
  const sockets = listeningSockets();
  const parts = Object.entries(state.pids);
  assert.ok(parts.length >= 3, `the stack runs its parts: ${JSON.stringify(state.pids)}`);
  const stray: string[] = [];
  for (const [part, pid] of parts) {
    const listeners = socketInodes(pid).flatMap((inode) => sockets.get(inode) ?? []);
    assert.ok(listeners.length > 0, `${part} (pid ${pid}) listens on nothing`);
    for (const { address, port } of listeners)
      if (address !== "loopback" || !assigned.has(port)) stray.push(`${part}: ${address}:${port}`);
  }
  assert.deepEqual(
    stray,
    [],
    `listeners outside the stack's assigned loopback ports (stack.json ports: ${[...assigned].join(", ")})`,
  );
});
