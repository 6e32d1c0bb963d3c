// The configuration the mapping tests load (mapping.test.ts, hard-delete.test.ts): the required
// variables, each test's own on top, and a routes file read from memory.

import { loadConfig } from "../../../src/config/config.ts";

export const base = {
  KAFKA_BROKERS: "127.0.0.1:9092",
  KAFKA_GROUP_ID: "g",
  KAFKA_TOPICS: "pg.public.customers",
  DYNAMODB_TABLE: "cdc",
  AWS_REGION: "eu-west-1",
};

/** `base` with `env` on top; with `routesJson`, ROUTES_FILE names a file that holds it. */
export function load(env: Record<string, string>, routesJson?: unknown[]): ReturnType<typeof loadConfig> {
  const file = routesJson === undefined ? {} : { ROUTES_FILE: "/routes.json" };
  return loadConfig({ ...base, ...env, ...file }, () => JSON.stringify(routesJson));
}
