// The Kafka offset as the version: `ko:EEEE:<offset>`, 20 digits (offsets are int64). An explicit
// opt-in (VERSION_SOURCE=kafka-offset): it orders the records of one partition, so it holds only
// while every change of a row goes to one partition of one topic and that topic is never
// re-created or re-snapshotted into (a new topic restarts its offsets at 0: raise VERSION_EPOCH).

import { pad } from "./digits.ts";
import type { VersionInput, VersionScheme } from "./scheme.ts";

function derive(input: VersionInput, _options: unknown, e: string): string {
  return `ko:${e}:${pad(input.kafkaOffset, "kafka offset")}`;
}

export const kafkaOffset: VersionScheme = { prefix: "ko:", derive };
