import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Endpoints } from "../../tools/stack/state.ts";

export type { Endpoints };

/**
 * The running stack's endpoints, from $CDC_SINK_STACK_DIR/endpoints.json, which `npm test`
 * (tools/test/run.ts) sets after starting or finding a stack.
 */
export function stackEndpoints(): Endpoints {
  const dir = process.env.CDC_SINK_STACK_DIR;
  if (dir === undefined || dir === "") {
    throw new Error(
      "CDC_SINK_STACK_DIR is not set: run integration tests with `npm test` (it starts the stack), or " +
        "`npm run stack -- up` and export CDC_SINK_STACK_DIR=<repo>/.stack",
    );
  }
  const file = join(dir, "endpoints.json");
  if (!existsSync(file))
    throw new Error(`no ${file}: the stack in ${dir} is not up (npm run stack -- up --dir ${dir})`);
  return JSON.parse(readFileSync(file, "utf8")) as Endpoints;
}

/** The CDC parts' endpoints; throws when the stack was started without --with-cdc. */
export function cdcEndpoints(): Endpoints & { postgresUrl: string; connectUrl: string } {
  const endpoints = stackEndpoints();
  const { postgresUrl, connectUrl } = endpoints;
  if (postgresUrl === undefined || connectUrl === undefined) {
    throw new Error("the stack has no PostgreSQL/Connect: start it with npm run stack -- up --with-cdc");
  }
  return { ...endpoints, postgresUrl, connectUrl };
}
