// npm run build:confluent — builds the second Kafka client (KAFKA_CLIENT=confluent) into the cache
// once, from source; prints where it is and what librdkafka it carries. Idempotent.
import { join } from "node:path";
import { describeError } from "../stack/errors.ts";
import { cacheDir } from "../stack/fetch.ts";
import { describeConfluentBuild, ensureConfluentClient } from "./confluent.ts";

const say = (line: string): void => void process.stderr.write(`confluent: ${line}\n`);
const began = performance.now();
ensureConfluentClient(join(cacheDir(), "logs", "kafka-javascript-build.log"), say).then(
  (dir) => {
    say(
      `${dir} (${describeConfluentBuild(dir)}), ready in ${((performance.now() - began) / 1000).toFixed(1)} s`,
    );
    process.exit(0);
  },
  (err: unknown) => {
    say(describeError(err));
    process.exit(1);
  },
);
