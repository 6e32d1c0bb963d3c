import pg from "pg";
import { waitFor } from "./wait.ts";

/** Runs `fn` with a connected client and always closes it. */
export async function withPg<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Drops a logical replication slot. A slot left behind pins WAL forever; one still held by a
 * stopping connector cannot be dropped, so wait for it to be released, and after `timeoutMs`
 * end the backend that holds it.
 */
export async function dropSlot(url: string, slot: string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  await withPg(url, (client) =>
    waitFor(
      async () => {
        const found = await client.query<{ active: boolean; pid: number | null }>(
          "SELECT active, active_pid AS pid FROM pg_replication_slots WHERE slot_name = $1",
          [slot],
        );
        const row = found.rows[0];
        if (row === undefined) return true;
        if (row.active) {
          if (Date.now() - started > timeoutMs)
            await client.query("SELECT pg_terminate_backend($1)", [row.pid]);
          return false;
        }
        await client.query("SELECT pg_drop_replication_slot($1)", [slot]);
        return true;
      },
      { timeoutMs: timeoutMs + 15_000, intervalMs: 200, message: `replication slot ${slot} still held` },
    ),
  );
}
