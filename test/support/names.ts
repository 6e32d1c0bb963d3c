import { randomBytes } from "node:crypto";

let counter = 0;

/**
 * A name no other test, test file or earlier run uses: tests share one broker, one DynamoDB store
 * and one PostgreSQL, so every topic, group, table, slot and connector gets its own.
 * Only [a-z0-9_] so it is valid as a Kafka topic, a DynamoDB table, a Postgres identifier and a slot.
 */
export function uniqueName(prefix: string): string {
  counter += 1;
  const clean = prefix.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  return `${clean}_${process.pid}_${counter}_${randomBytes(3).toString("hex")}`;
}

/**
 * The names of one CDC pipeline of an e2e test (test/e2e/pipeline.ts's Pipeline), each unique: the
 * PostgreSQL schema, topic prefix, connector, replication slot, publication, table and sink group.
 * `schema` and `table` say which test made them.
 */
export function pipelineNames<E>(ep: E, schema: string, table: string) {
  return {
    ep,
    schema: uniqueName(schema),
    prefix: uniqueName("cdc"),
    connector: uniqueName("conn"),
    slot: uniqueName("slot"),
    publication: uniqueName("pub"),
    table: uniqueName(table),
    group: uniqueName("sink"),
  };
}
