// `npm test` needs a few Debian packages beyond Java and Maven: PostgreSQL's server binaries (the CDC
// stack), MariaDB's (the MySQL end-to-end test), openssl (the stack's TLS listener) and iptables (the network-partition phase of fault
// scenario 10). On a fresh Debian machine where we are root, install what is missing, as .ci/run
// does; elsewhere the part that needs one says what to do.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { findMysqlBin } from "../stack/parts/mysql.ts";
import { findPostgresBin } from "../stack/parts/postgres.ts";

const has = (cmd: string): boolean => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;

function missing(): string[] {
  const out: string[] = [];
  try {
    findPostgresBin();
  } catch {
    out.push("postgresql");
  }
  try {
    findMysqlBin();
  } catch {
    out.push("mariadb-server");
  }
  if (!has("openssl")) out.push("openssl");
  if (!has("iptables")) out.push("iptables");
  return out;
}

export function ensurePackages(say: (line: string) => void): void {
  const packages = missing();
  if (packages.length === 0 || process.getuid?.() !== 0 || !has("apt-get")) return;
  say(`installing missing Debian packages: ${packages.join(" ")}`);
  // Keep Debian from creating and starting its own PostgreSQL cluster on 5432; the stack runs its own.
  mkdirSync("/etc/postgresql-common", { recursive: true });
  writeFileSync("/etc/postgresql-common/createcluster.conf", "create_main_cluster = false\n");
  // Debian's mariadb-server starts its own service on 3306; a policy-rc.d answering 101 ("action
  // forbidden") keeps invoke-rc.d from starting anything. Removed afterwards if we made it.
  const policy = "/usr/sbin/policy-rc.d";
  const madePolicy = !existsSync(policy);
  if (madePolicy) writeFileSync(policy, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    for (const args of [
      ["update", "-qq"],
      ["install", "-y", "-qq", "--no-install-recommends", ...packages],
    ]) {
      const r = spawnSync("apt-get", args, { stdio: ["ignore", "inherit", "inherit"], env });
      if (r.status !== 0) {
        say(`apt-get ${args.join(" ")} failed (exit ${r.status}); install ${packages.join(" ")} by hand`);
        return;
      }
    }
  } finally {
    if (madePolicy) rmSync(policy, { force: true });
  }
}
