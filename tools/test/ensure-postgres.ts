// `npm test` needs PostgreSQL's server binaries for the CDC stack. On a fresh Debian machine where
// we are root, install them (as .ci/run does); otherwise the stack's own error says what to do.

import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { findPostgresBin } from "../stack/parts/postgres.ts";

export function ensurePostgres(say: (line: string) => void): void {
  try {
    findPostgresBin();
    return;
  } catch {
    // not installed: fall through
  }
  if (process.getuid?.() !== 0 || spawnSync("apt-get", ["--version"]).status !== 0) return;
  say("PostgreSQL server binaries missing: apt-get install postgresql (no default cluster)");
  // Keep Debian from creating and starting its own cluster on 5432; the stack runs its own.
  mkdirSync("/etc/postgresql-common", { recursive: true });
  writeFileSync("/etc/postgresql-common/createcluster.conf", "create_main_cluster = false\n");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", "--no-install-recommends", "postgresql"]]) {
    const r = spawnSync("apt-get", args, { stdio: ["ignore", "inherit", "inherit"], env });
    if (r.status !== 0) {
      say(`apt-get ${args.join(" ")} failed (exit ${r.status}); install PostgreSQL by hand`);
      return;
    }
  }
}
