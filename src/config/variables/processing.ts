// Processing: concurrency, memory, retries, the stuck watchdog. Part of the one table of variables
// (src/config/env-spec.ts).

import { int, positive } from "../parsers.ts";
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
  {
    group: "processing",
    name: "MAX_WRITE_UNITS_PER_SECOND",
    parse: positive,
    description:
      "Write budget: DynamoDB write capacity units per second the sink may consume (a token bucket, " +
      "estimated from the item's size before the write — 1 per started KB, 2× in a transaction — and " +
      "corrected from the reply's ConsumedCapacity). Refused duplicates cost units too, so a replay " +
      "is slowed by the sink, not by DynamoDB throttling the table's other users. A route's " +
      "`maxWriteUnitsPerSecond` gives its topics a budget of their own. Unset: unlimited.",
  },
  {
    group: "processing",
    name: "BREAKER_FAILURE_THRESHOLD",
    default: "10",
    parse: int(1),
    description:
      "Circuit breaker: this many writes in a row failing with an outage (connection errors, 5xx, " +
      "timeouts; not throttling) and no answer from the store in between stop sending from every " +
      "partition; one probe write is then sent at a growing interval until the store answers.",
  },
  {
    group: "processing",
    name: "BREAKER_PROBE_INITIAL_MS",
    default: "1000",
    parse: int(10),
    description:
      "Circuit breaker: the first probe's delay after opening; it doubles after each failed probe.",
  },
  {
    group: "processing",
    name: "BREAKER_PROBE_MAX_MS",
    default: "30000",
    parse: int(10),
    description: "Circuit breaker: the longest interval between probes.",
  },
  {
    group: "processing",
    name: "REBALANCE_STORM_THRESHOLD",
    default: "10",
    parse: int(1),
    description:
      "More than this many rebalances within `REBALANCE_STORM_WINDOW_MS` \u2192 unready (reason " +
      "`rebalance storm`) and `cdc_sink.rebalance_storm` = 1, without exiting: a restart would add " +
      "a rebalance.",
  },
  {
    group: "processing",
    name: "REBALANCE_STORM_WINDOW_MS",
    default: "300000",
    parse: int(1000),
    description: "The window of `REBALANCE_STORM_THRESHOLD`.",
  },
] as const satisfies readonly EnvVar[];
