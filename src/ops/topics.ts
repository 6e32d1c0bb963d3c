// Which topics a command looks at: --topic, else the sink's KAFKA_TOPICS and the existing topics
// KAFKA_TOPIC_PATTERN matches (as `run` subscribes).

import type { Config } from "../config/config.ts";
import { OpsInputError } from "./context.ts";

export async function sinkTopics(
  admin: { listTopics(): Promise<string[]> },
  config: Config,
  given: readonly string[],
): Promise<string[]> {
  const existing = await admin.listTopics();
  const wanted =
    given.length > 0
      ? [...given]
      : [
          ...config.kafka.topics,
          ...existing.filter((t) => config.kafka.topicPattern?.test(t) === true && !t.startsWith("__")),
        ];
  const missing = wanted.filter((t) => !existing.includes(t));
  if (missing.length > 0) throw new OpsInputError(`topic(s) ${missing.join(", ")} do not exist`);
  if (wanted.length === 0) throw new OpsInputError("no topics: set KAFKA_TOPICS or give --topic");
  return [...new Set(wanted)].sort();
}
