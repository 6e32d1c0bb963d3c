// Evidence for network fault scenarios, read from the machine rather than from the sink: the
// group's generation as the broker's group coordinator logged it, and the TCP peers a process
// is connected to (from /proc), to prove that every Kafka connection went through the proxy.

import { readFileSync, readdirSync, readlinkSync } from "node:fs";

export type Rebalance = { at: string; generation: number; kind: "preparing" | "stabilized"; reason: string };

/**
 * For a classic group the coordinator (Kafka 3.9's, and 4.x's GroupMetadataManager alike) logs
 * "Preparing to rebalance group G ... with old generation N (...) (reason: ...)" when a rebalance
 * starts and "Stabilized group G generation N" when it ends; together they are the group's
 * generation history. A KIP-848 group (Kafka 4.x, group.protocol=consumer) has no generations: each
 * change of members or subscribed metadata logs "[GroupId G] Bumped group epoch to N", after the
 * member's own line ("Member M joins ...", "left ...", "... fenced ..."), and a new assignment
 * "[GroupId G] Computed a new target assignment for epoch N". Those are read as the same two kinds:
 * a bump to N as "preparing" from N - 1 (its reason the group's latest member line), an assignment
 * for epoch N as "stabilized" at N.
 */
export function rebalancesInLog(text: string, group: string): Rebalance[] {
  const out: Rebalance[] = [];
  const escaped = group.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const preparing = new RegExp(
    `^\\[([^\\]]+)\\].*Preparing to rebalance group ${escaped} in state \\w+ with old generation ` +
      `(\\d+).*?\\(reason: (.*?)\\)`,
  );
  const stabilized = new RegExp(`^\\[([^\\]]+)\\].*Stabilized group ${escaped} generation (\\d+)`);
  const member = new RegExp(`^\\[[^\\]]+\\].*\\[GroupId ${escaped}\\] (Member .*?)\\.? \\(org\\.apache`);
  const bumped = new RegExp(`^\\[([^\\]]+)\\].*\\[GroupId ${escaped}\\] Bumped group epoch to (\\d+)`);
  const assigned = new RegExp(
    `^\\[([^\\]]+)\\].*\\[GroupId ${escaped}\\] Computed a new target assignment for epoch (\\d+)`,
  );
  let lastMember = "";
  for (const line of text.split("\n")) {
    const p = preparing.exec(line);
    if (p !== null) out.push({ at: p[1]!, generation: Number(p[2]), kind: "preparing", reason: p[3]! });
    const s = stabilized.exec(line);
    if (s !== null) out.push({ at: s[1]!, generation: Number(s[2]), kind: "stabilized", reason: "" });
    const m = member.exec(line);
    if (m !== null) lastMember = m[1]!;
    const b = bumped.exec(line);
    if (b !== null) {
      out.push({ at: b[1]!, generation: Number(b[2]) - 1, kind: "preparing", reason: lastMember });
      lastMember = "";
    }
    const a = assigned.exec(line);
    if (a !== null) out.push({ at: a[1]!, generation: Number(a[2]), kind: "stabilized", reason: "" });
  }
  return out;
}

/** Reads a log from a byte offset (what was written since a mark); returns the text and the new mark. */
export function readSince(file: string, mark: number): { text: string; mark: number } {
  const all = readFileSync(file);
  return { text: all.subarray(mark).toString("utf8"), mark: all.length };
}

/** Remote "host:port" of every established TCP connection of process `pid` (IPv4 loopback suffices here). */
export function tcpPeers(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m !== null) inodes.add(m[1]!);
    } catch {
      // the descriptor closed meanwhile
    }
  }
  const peers: string[] = [];
  for (const table of ["tcp", "tcp6"]) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // sl local rem st ... inode (field 9); st 01 = ESTABLISHED
      if (f.length < 10 || f[3] !== "01" || !inodes.has(f[9]!)) continue;
      const [hexHost, hexPort] = f[2]!.split(":");
      const host =
        hexHost!.length === 8
          ? hexHost!
              .match(/../g)!
              .reverse()
              .map((b) => parseInt(b, 16))
              .join(".")
          : "ipv6";
      peers.push(`${host}:${parseInt(hexPort!, 16)}`);
    }
  }
  return peers;
}
