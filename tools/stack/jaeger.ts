// Jaeger v2 for `--with-tracing`: built once with Go from the module proxy into the cache. The module
// github.com/jaegertracing/jaeger cannot be built with `go install pkg@version`: its go.mod has a
// `replace` (Shopify/sarama), and `go install` refuses a main module with replace directives. As a
// dependency of the small wrapper module in tools/stack/jaeger (made with `go get -tool`), the
// replace is ignored and it builds. The wrapper's go.sum pins every module's checksum.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { StackError } from "./errors.ts";
import { cacheDir } from "./fetch.ts";
import { runToEnd } from "./process.ts";

export const JAEGER = {
  module: "github.com/jaegertracing/jaeger",
  /** The Go module's version; Jaeger v2.13.0 is released from it (v1.x tags carry the v2 binary). */
  version: "v1.76.0",
  release: "2.13.0",
  pkg: "github.com/jaegertracing/jaeger/cmd/jaeger",
  /** The wrapper's `go` line (Jaeger's own): an older Go refuses the module. */
  goVersion: "1.24.6",
} as const;

const WRAPPER = join(dirname(fileURLToPath(import.meta.url)), "jaeger");

/** Modules and build cache in the project's cache, so CI caches them with the jars. */
export function goEnv(): Record<string, string> {
  const go = join(cacheDir(), "go");
  return {
    GOPATH: go,
    GOMODCACHE: join(go, "mod"),
    GOCACHE: join(go, "build"),
    // Module files are read-only by default, which makes the cache undeletable by a plain rm -rf.
    GOFLAGS: "-modcacherw -mod=readonly",
  };
}

/** The folder of bin/jaeger; named by version and a hash of go.mod and go.sum, like the jar sets. */
export function jaegerRoot(): string {
  const hash = createHash("sha256")
    .update(readFileSync(join(WRAPPER, "go.mod")))
    .update(readFileSync(join(WRAPPER, "go.sum")))
    .digest("hex")
    .slice(0, 12);
  return join(cacheDir(), "bin", `jaeger-${JAEGER.release}-${hash}`);
}
export const jaegerBin = (): string => join(jaegerRoot(), "jaeger");

function requireGo(): void {
  const r = spawnSync("go", ["env", "GOVERSION"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new StackError(
      `go not found on PATH: --with-tracing builds Jaeger ${JAEGER.release} with Go ${JAEGER.goVersion}+ ` +
        "(https://go.dev/dl; Debian 13: apt-get install golang-go)",
    );
  }
  const [, major, minor, patch] = /go(\d+)\.(\d+)(?:\.(\d+))?/.exec(r.stdout) ?? [];
  const have = [Number(major), Number(minor), Number(patch ?? 0)];
  const want = JAEGER.goVersion.split(".").map(Number);
  const older = have.findIndex((n, i) => n !== want[i]);
  if (older !== -1 && have[older]! < want[older]!) {
    throw new StackError(
      `${r.stdout.trim()} is older than go${JAEGER.goVersion}, which Jaeger ${JAEGER.release} needs`,
    );
  }
}

/**
 * The jaeger binary, built by `go build` the first time (about 8.5 minutes on two cores, most of
 * it compiling; the modules are ~1 GB in the cache) and found in the cache every time after. Built
 * into a private folder and renamed, so two stacks starting at once never run half a binary.
 */
export async function ensureJaeger(logFile: string, say?: (line: string) => void): Promise<string> {
  const root = jaegerRoot();
  if (existsSync(join(root, ".complete")) && existsSync(jaegerBin())) return jaegerBin();
  requireGo();
  say?.(`building Jaeger ${JAEGER.release} with go (once; about 9 minutes on 2 cores), log in ${logFile}`);
  const partial = `${root}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const began = performance.now();
  const code = await runToEnd({
    cmd: "go",
    // -s -w: no symbol table or DWARF; the binary is a third smaller in the cache.
    args: ["build", "-trimpath", "-ldflags=-s -w", "-o", join(partial, "jaeger"), JAEGER.pkg],
    cwd: WRAPPER,
    logFile,
    env: goEnv(),
  });
  if (code !== 0 || !existsSync(join(partial, "jaeger"))) {
    rmSync(partial, { recursive: true, force: true });
    throw new StackError(
      `building Jaeger ${JAEGER.release} failed (go exit ${code}): check access to the Go module proxy, ` +
        `see ${logFile}`,
    );
  }
  writeFileSync(join(partial, ".complete"), `${new Date().toISOString()}\n`);
  if (existsSync(join(root, ".complete"))) {
    rmSync(partial, { recursive: true, force: true });
  } else {
    rmSync(root, { recursive: true, force: true });
    renameSync(partial, root);
  }
  say?.(`built Jaeger ${JAEGER.release} in ${((performance.now() - began) / 1000).toFixed(0)} s`);
  return jaegerBin();
}
