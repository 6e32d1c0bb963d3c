// The stack's DynamoDB-compatible store: dynoxide (crate dynoxide-rs on crates.io, MIT OR
// Apache-2.0), built once from source with cargo into the cache. This file and .ci/run (which only
// makes sure cargo exists) are the only places that know how; deploy/dynoxide/Dockerfile builds the
// same crate and version for compose (test/integration/deploy/compose.test.ts keeps them equal).

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { StackError } from "./errors.ts";
import { cacheDir } from "./fetch.ts";
import { runToEnd } from "./process.ts";

export const DYNOXIDE = {
  crate: "dynoxide-rs",
  version: "3.2.0",
  // Only the server: the default features add an MCP server and an importer the stack never uses,
  // and take longer to build.
  features: "native-sqlite,http-server,cli",
  // The crate's `rust-version` (its Cargo.toml): an older cargo refuses to build it.
  rustVersion: "1.88",
} as const;

/** The folder holding bin/dynoxide; the version in its name, so a new version builds afresh. */
export const dynoxideRoot = (): string => join(cacheDir(), `dynoxide-${DYNOXIDE.version}`);
export const dynoxideBin = (): string => join(dynoxideRoot(), "bin", "dynoxide");

/** cargo on PATH, else rustup's default place (a non-login shell often lacks ~/.cargo/bin). */
function findCargo(): string {
  for (const candidate of ["cargo", join(homedir(), ".cargo", "bin", "cargo")]) {
    const r = spawnSync(candidate, ["--version"], { encoding: "utf8" });
    if (r.error || r.status !== 0) continue;
    const [, major, minor] = /cargo (\d+)\.(\d+)/.exec(r.stdout) ?? [];
    const [wantMajor, wantMinor] = DYNOXIDE.rustVersion.split(".").map(Number);
    if (Number(major) < wantMajor! || (Number(major) === wantMajor && Number(minor) < wantMinor!)) {
      throw new StackError(
        `${r.stdout.trim()} is older than ${DYNOXIDE.rustVersion}, which ${DYNOXIDE.crate} ${DYNOXIDE.version} needs: ` +
          "install a newer Rust (Debian 12: apt-get install cargo-web; or rustup)",
      );
    }
    return candidate;
  }
  throw new StackError(
    `cargo not found: the stack builds its DynamoDB-compatible store (${DYNOXIDE.crate}) from crates.io; ` +
      "install Rust (Debian 12: apt-get install cargo-web; or rustup), or run bash .ci/run",
  );
}

/**
 * The dynoxide binary, built by `cargo install` into the cache the first time (about 4.5 minutes
 * on two cores) and found there every time after. Built into a private folder and renamed, so two
 * stacks starting at once never run half an install.
 */
export async function ensureDynoxide(logFile: string, say?: (line: string) => void): Promise<string> {
  const root = dynoxideRoot();
  if (existsSync(join(root, ".complete")) && existsSync(dynoxideBin())) return dynoxideBin();
  const cargo = findCargo();
  say?.(`building ${DYNOXIDE.crate} ${DYNOXIDE.version} with cargo (once; a few minutes), log in ${logFile}`);
  const partial = `${root}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const began = performance.now();
  const code = await runToEnd({
    cmd: cargo,
    args: [
      "install",
      `${DYNOXIDE.crate}@${DYNOXIDE.version}`,
      // The crate's own Cargo.lock: the dependency versions its release was tested with.
      "--locked",
      "--no-default-features",
      "--features",
      DYNOXIDE.features,
      "--root",
      partial,
    ],
    cwd: cacheDir(),
    logFile,
  });
  if (code !== 0 || !existsSync(join(partial, "bin", "dynoxide"))) {
    rmSync(partial, { recursive: true, force: true });
    throw new StackError(
      `building ${DYNOXIDE.crate} ${DYNOXIDE.version} failed (cargo exit ${code}): check access to crates.io, see ${logFile}`,
    );
  }
  writeFileSync(join(partial, ".complete"), `${new Date().toISOString()}\n`);
  if (existsSync(join(root, ".complete"))) {
    rmSync(partial, { recursive: true, force: true });
  } else {
    rmSync(root, { recursive: true, force: true });
    renameSync(partial, root);
  }
  say?.(`built ${DYNOXIDE.crate} in ${((performance.now() - began) / 1000).toFixed(0)} s`);
  return dynoxideBin();
}
