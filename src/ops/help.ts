// Help texts of the operator's commands, apart from their code so that `--help` loads neither
// kafkajs nor the AWS SDK. Every command reads the sink's own variables (docs/configuration.md).

const CONFIG = `Configuration: the sink's environment variables (KAFKA_BROKERS, KAFKA_GROUP_ID, KAFKA_TOPICS,
DLQ_TOPIC, DYNAMODB_TABLE, AWS_REGION, ROUTES_FILE, …), so the command sees what \`run\` would.`;

const EXITS = (one?: string) =>
  [
    "Exit codes: 0 done",
    ...(one === undefined ? [] : [`1 ${one}`]),
    "2 bad arguments, input or configuration",
    "3 Kafka or DynamoDB unreachable or refusing (fatal).",
  ].join("\n            ");

export const OPS_HELP: Record<string, string> = {
  explain: `cdc-sink explain — what the sink would do with one record, decided read-only

Usage:
  cdc-sink explain --topic T --partition P --offset O [--json]
  cdc-sink explain --topic T --stdin [--key JSON] [--offset O] [--json] < value.json

Prints the decoded identity (source, id, item key), the version, the item the sink would write
(attributes, size, write units), the item the table holds now (GetItem, consistent read), the two
versions field by field, and the outcome: applied, duplicate, stale, skipped, or poison with its code.
--topic picks the decode settings and route (table) even with --stdin. Nothing is written or committed.

${CONFIG}
${EXITS()}`,

  lag: `cdc-sink lag — how far the sink's group is behind, per topic and partition

Usage:
  cdc-sink lag [--topic T]... [--group G] [--json] [--no-age]

Per partition: committed offset, log end, lag (end − committed; from the log start without a
commit), and the timestamp and age of the first uncommitted record (read from Kafka; --no-age skips
that read). Also the group's state and members. Topics: KAFKA_TOPICS and what KAFKA_TOPIC_PATTERN
matches, or --topic. Group: KAFKA_GROUP_ID, or --group.

${CONFIG}
${EXITS()}`,

  dlq: `cdc-sink dlq list|show|redrive — the dead-letter topic (DLQ_TOPIC)

Usage:
  cdc-sink dlq list    [--code C]... [--topic T]... [--since T] [--until T] [--first N] [--json]
  cdc-sink dlq show    --partition P --offset O [--json]
  cdc-sink dlq redrive [--code C]... [--topic T]... [--since T] [--until T] [--group G]
                       [--dry-run] [--first N] [--json]

list     the dead letters grouped by error code, source topic and partition, with the
         __connect.errors.* context (first and last failure, attempts, the first source offsets).
show     one dead letter: its context headers, and the record decoded as \`run\` would decode it today.
redrive  re-applies the dead letters through the sink's version-guarded write: a record older than
         the table's item comes back stale and changes nothing. Its own consumer group (default
         <KAFKA_GROUP_ID>.redrive) commits after each record's outcome, so a redrive stopped half-way
         resumes where it stopped. Records that fail again go back to the DLQ with cdc.attempts + 1.
         Records outside the filters are passed over by this group (use another --group to revisit
         them). --dry-run reads the table instead of writing, publishes and commits nothing.
         Progress goes to stderr. Filters: --code (cdc.error.code), --topic (source topic), --since /
         --until (failure time, ISO-8601 or epoch ms).

${CONFIG}
${EXITS("redrive: some records failed again (they are back in the DLQ)")}`,

  offsets: `cdc-sink offsets reset — move the sink's group to a time or an offset

Usage:
  cdc-sink offsets reset (--to-time T | --to-earliest | --to-latest | --to-offset N [--partition P])
                         [--topic T]... [--group G] [--execute] [--json]

Shows the plan per partition (current, target, records read again; negative: skipped). Applies it
only with --execute, and only while the group has no members (stop every sink of the group first).
--to-time lands on the first offset whose record timestamp is at or after T (ISO-8601 or epoch ms);
a partition with no record that recent goes to its log end. Replaying is safe: replayed records
come back duplicate or stale. Skipping forward loses the skipped changes.

${CONFIG}
${EXITS("--execute refused: the group has members (nothing changed)")}`,

  "run --dry-run": `cdc-sink run --dry-run — what a run would do now, without writing or committing

Usage:
  cdc-sink run --dry-run [--from committed|earliest|TIME] [--topic T]... [--first N] [--json]

Reads every record from the group's committed offsets (--from earliest: the log start; --from an
ISO-8601 time: the first offset at or after it) up to the log end at start-up, as a separate group
that never commits, and decides each record's outcome against the table through the sink's own
processor (decoding, per-key order, coalescing, dead-lettering), reading items instead of writing
them. Prints counts per outcome and per poison code with the first
keys of each. Within a batch only the newest version of a key is written (older ones end stale),
so for keys with several versions in the range the split between applied and stale follows how
Kafka batches the records, in a dry run as in a run.

${CONFIG}
${EXITS()}`,
};
