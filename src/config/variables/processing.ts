// Processing: concurrency, memory, retries, the stuck watchdog. Part of the one table of variables
// (src/config/env-spec.ts).

import { int } from "../parsers.ts";
import type { EnvVar } from "../env-spec.ts";

export const PROCESSING_VARIABLES = [
  {
    group: "processing",
    name: "MAX_IN_FLIGHT",
    default: "128",
    parse: int(1, 4096),
    description:
      "Upper bound of records being written at once: concurrent PutItems, or items in " +
      "TransactWriteItems with the `transact` write shape (adaptive: halves on throttling, grows back " +
      "on success). Also the HTTP socket pool's size.",
  },
  {
    group: "processing",
    name: "MAX_BUFFERED_RECORDS",
    default: "5000",
    parse: int(1),
    description:
      "Records in hand across partitions before fetching pauses; a fetch in flight can add up to " +
      "`KAFKA_FETCH_MAX_BYTES` more. Bounds memory: about 5 KB of heap per ~1 KB record in hand.",
  },
  {
    group: "processing",
    name: "RETRY_BASE_MS",
    default: "100",
    parse: int(1),
    description: "First retry delay of a transient error.",
  },
  {
    group: "processing",
    name: "RETRY_MAX_MS",
    default: "10000",
    parse: int(1),
    description:
      "Cap of the retry delay (exponential backoff with full jitter; transient errors are retried " +
      "forever).",
  },
  {
    group: "processing",
    name: "STUCK_TIMEOUT_MS",
    default: "120000",
    parse: int(1000),
    description:
      "No durable progress for this long while records wait \u2192 unready, then exit 5 so the " +
      "orchestrator restarts the pod.",
  },
] as const satisfies readonly EnvVar[];
