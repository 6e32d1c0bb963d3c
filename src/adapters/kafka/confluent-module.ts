// Where the sink finds @confluentinc/kafka-javascript (KAFKA_CLIENT=confluent). It is not a
// dependency in package.json (its native build takes minutes and must not run on every `npm ci`):
// `npm run build:confluent` builds it into the cache once, one folder per version and Node ABI.

import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { ExitCode, FatalError, errorMessage } from "../../core/errors.ts";

export const CONFLUENT_PACKAGE = "@confluentinc/kafka-javascript";
export const CONFLUENT_VERSION = "1.10.1";

/** The folder `npm run build:confluent` installs into under a cache root (default ~/.cache/cdc-dynamodb-sink). */
export function confluentBuildHome(cacheRoot = join(homedir(), ".cache", "cdc-dynamodb-sink")): string {
  const abi = `node-abi${process.versions.modules}-${process.platform}-${process.arch}`;
  return join(cacheRoot, "kafka-javascript", `${CONFLUENT_VERSION}-${abi}`);
}

export function confluentPackageIn(home: string): string {
  return join(home, "node_modules", ...CONFLUENT_PACKAGE.split("/"));
}

/** Loads the package: KAFKA_CLIENT_MODULE's folder, else node_modules, else the build's cache folder. */
export function loadConfluent(moduleDir: string | undefined): unknown {
  const require = createRequire(import.meta.url);
  const tried: string[] = [];
  for (const where of moduleDir !== undefined
    ? [moduleDir]
    : [CONFLUENT_PACKAGE, confluentPackageIn(confluentBuildHome())]) {
    try {
      return require(where) as unknown;
    } catch (err) {
      tried.push(`${where}: ${errorMessage(err).split("\n")[0]}`);
    }
  }
  throw new FatalError(
    "kafka_client_missing",
    `KAFKA_CLIENT=confluent but ${CONFLUENT_PACKAGE} does not load (${tried.join("; ")}): build it with ` +
      "`npm run build:confluent`, or point KAFKA_CLIENT_MODULE at a built copy",
    ExitCode.badConfig,
  );
}
