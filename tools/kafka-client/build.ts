// npm run build:confluent [-- --json] — builds the second Kafka client (KAFKA_CLIENT=confluent) into
// the cache once, from source; prints where it is and what librdkafka it carries. Idempotent.
import { join } from "node:path";
import { parseCommandLine, printJson } from "../cli/args.ts";
import { describeError } from "../stack/errors.ts";
import { cacheDir } from "../stack/fetch.ts";
import {
  CONFLUENT_BUILD_PACKAGES,
  CONFLUENT_CLIENT,
  describeConfluentBuild,
  ensureConfluentClient,
} from "./confluent.ts";

const USAGE = `usage: npm run build:confluent -- [--json]
  Builds ${CONFLUENT_CLIENT.name} ${CONFLUENT_CLIENT.version} (librdkafka) from source into the cache
  ($CDC_SINK_CACHE, default ~/.cache/cdc-dynamodb-sink) once, about 3 minutes on two cores; built, it
  only checks that it loads. Prints where it is and what librdkafka it carries (on stderr). It needs
  ${CONFLUENT_BUILD_PACKAGES.join(" ")} (Debian packages).
  --json      {"path", "version", "librdkafka", "features", "seconds"} on stdout
  -h, --help  this text`;

const { values } = parseCommandLine("build:confluent", USAGE, {});
const say = (line: string): void => void process.stderr.write(`confluent: ${line}\n`);
const began = performance.now();
ensureConfluentClient(join(cacheDir(), "logs", "kafka-javascript-build.log"), say).then(
  (dir) => {
    const build = describeConfluentBuild(dir);
    const seconds = Number(((performance.now() - began) / 1000).toFixed(1));
    say(`${dir} (${build}), ready in ${seconds.toFixed(1)} s`);
    if (values.json) {
      // describeConfluentBuild's line: "librdkafka <version>: <feature>,<feature>,…"
      const [, librdkafka, features] = /^librdkafka (\S+): (.*)$/.exec(build) ?? [];
      printJson({
        path: dir,
        version: CONFLUENT_CLIENT.version,
        librdkafka: librdkafka ?? build,
        features: features === undefined ? [] : features.split(",").filter((f) => f !== ""),
        seconds,
      });
    }
    process.exit(0);
  },
  (err: unknown) => {
    say(describeError(err));
    process.exit(1);
  },
);
