// The workload generator: several PostgreSQL sessions run interleaved multi-row transactions of
// inserts, updates, deletes and re-inserts of deleted keys, primary-key changes, updates of a shared
// hot set (row-lock contention between sessions) and rolled-back transactions — plus, on request, a
// truncate and a table created while the pipeline runs. Sessions own disjoint key ranges except the
// hot set, which is locked in ascending key order; a deadlock still happens now and then and the
// transaction is then rolled back, as an application would.

import pg from "pg";
import {
  auditRow,
  customer,
  customerChange,
  device,
  insertSql,
  int,
  lateTableDdl,
  orderLine,
  orderRef,
  pick,
  rng,
  updateSql,
  type Rng,
  type Values,
} from "./schema.ts";

export type WorkloadStats = {
  transactions: number;
  rolledBack: number;
  inserts: number;
  updates: number;
  deletes: number;
  reinserts: number;
  keyChanges: number;
  rows: number;
};

export function emptyStats(): WorkloadStats {
  return {
    transactions: 0,
    rolledBack: 0,
    inserts: 0,
    updates: 0,
    deletes: 0,
    reinserts: 0,
    keyChanges: 0,
    rows: 0,
  };
}

export function addStats(a: WorkloadStats, b: WorkloadStats): WorkloadStats {
  const out = { ...a };
  for (const k of Object.keys(b) as (keyof WorkloadStats)[]) out[k] += b[k];
  return out;
}

type Query = { text: string; values: unknown[] };
const HOT = 20; // customers 1..HOT are updated by every session

/** Keys one session owns: live and deleted, per table. */
class Keys {
  readonly customers = new Set<number>();
  readonly deletedCustomers = new Set<number>();
  readonly orders = new Map<string, [string, number]>();
  readonly deletedOrders = new Map<string, [string, number]>();
  readonly devices = new Set<string>();
  readonly deletedDevices = new Set<string>();
  readonly session: number;
  readonly sessions: number;
  nextCustomer: number;
  nextOrder = 0;
  constructor(session: number, sessions: number) {
    this.session = session;
    this.sessions = sessions;
    this.nextCustomer = 1_000_000 + session;
  }
  newCustomerId(): number {
    const id = this.nextCustomer;
    this.nextCustomer += this.sessions;
    return id;
  }
}

const anyOf = <T>(r: Rng, xs: Iterable<T>): T | undefined => {
  const list = [...xs];
  return list.length === 0 ? undefined : pick(r, list);
};

export class Workload {
  readonly #url: string;
  readonly #schema: string;
  readonly #keys: Keys[];

  constructor(url: string, schema: string, sessions: number) {
    this.#url = url;
    this.#schema = schema;
    this.#keys = Array.from({ length: sessions }, (_, s) => new Keys(s, sessions));
  }

  async #withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const c = new pg.Client({ connectionString: this.#url });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }

  /** Rows that exist before the connector starts: its snapshot reads them. */
  async load(counts: { customers: number; orders: number; devices: number }, seed: number): Promise<number> {
    const r = rng(seed);
    const s = this.#schema;
    return this.#withClient(async (c) => {
      for (let id = 1; id <= counts.customers; id++) {
        await c.query(insertSql(`${s}.customers`, { id, ...customer(r) }));
        if (id > HOT) this.#keys[id % this.#keys.length]!.customers.add(id);
      }
      for (let i = 0; i < counts.orders; i++) {
        const k = this.#keys[i % this.#keys.length]!;
        const key: [string, number] = [orderRef(r, k.session, k.nextOrder++), int(r, 1, 5)];
        await c.query(insertSql(`${s}.order_lines`, { order_ref: key[0], line_no: key[1], ...orderLine(r) }));
        k.orders.set(JSON.stringify(key), key);
      }
      for (let i = 0; i < counts.devices; i++) {
        const q = insertSql(`${s}.devices`, device(r));
        const row = await c.query<{ id: string }>({ text: `${q.text} RETURNING id`, values: q.values });
        this.#keys[i % this.#keys.length]!.devices.add(row.rows[0]!.id);
      }
      return counts.customers + counts.orders + counts.devices;
    });
  }

  /** `transactions` per session, all sessions at once; resolves with what was committed. */
  async run(transactions: number, seed: number): Promise<WorkloadStats> {
    const results = await Promise.all(
      this.#keys.map((k) =>
        this.#withClient((c) => this.#session(c, k, transactions, rng(seed * 7919 + k.session))),
      ),
    );
    return results.reduce(addStats, emptyStats());
  }

  async #session(c: pg.Client, k: Keys, transactions: number, r: Rng): Promise<WorkloadStats> {
    const total = emptyStats();
    for (let t = 0; t < transactions; t++) {
      const stats = emptyStats();
      const after: (() => void)[] = []; // key bookkeeping, applied only once committed
      const touched = new Set<string>();
      let hotDone = false;
      await c.query("BEGIN");
      try {
        const statements = int(r, 1, 8);
        for (let i = 0; i < statements; i++) {
          const q = this.#statement(r, k, stats, after, touched, hotDone);
          if (q === undefined) continue;
          if (q.text.includes("/*hot*/")) hotDone = true;
          const res = await c.query(q);
          stats.rows += res.rowCount ?? 0;
          if (r() < 0.3) await new Promise((resolve) => setTimeout(resolve, int(r, 0, 3)));
        }
        if (r() < 0.05) {
          await c.query("ROLLBACK");
          total.rolledBack++;
          continue;
        }
        await c.query("COMMIT");
      } catch (err) {
        await c.query("ROLLBACK");
        if ((err as { code?: string }).code !== "40P01") throw err; // only a deadlock is expected
        total.rolledBack++;
        continue;
      }
      for (const f of after) f();
      stats.transactions = 1;
      Object.assign(total, addStats(total, stats));
    }
    return total;
  }

  #statement(
    r: Rng,
    k: Keys,
    stats: WorkloadStats,
    after: (() => void)[],
    touched: Set<string>,
    hotDone: boolean,
  ): Query | undefined {
    const s = this.#schema;
    const free = <T>(prefix: string, xs: Iterable<T>): T | undefined =>
      anyOf(
        r,
        [...xs].filter((x) => !touched.has(`${prefix}${String(x)}`)),
      );
    const claim = (key: string): void => void touched.add(key);
    const roll = r();
    if (roll < 0.15) {
      const id = k.newCustomerId();
      claim(`c${id}`);
      after.push(() => k.customers.add(id));
      stats.inserts++;
      return insertSql(`${s}.customers`, { id, ...customer(r) });
    }
    if (roll < 0.4) {
      const ids = [
        ...new Set(
          Array.from({ length: int(r, 1, 3) }, () => free("c", k.customers)).filter((x) => x !== undefined),
        ),
      ];
      if (ids.length === 0) return undefined;
      stats.updates += ids.length;
      return updateSql(`${s}.customers`, customerChange(r), "id = ANY($1)", [ids]);
    }
    if (roll < 0.48) {
      const id = free("c", k.customers);
      if (id === undefined) return undefined;
      claim(`c${id}`);
      after.push(() => (k.customers.delete(id), k.deletedCustomers.add(id)));
      stats.deletes++;
      return { text: `DELETE FROM ${s}.customers WHERE id = $1`, values: [id] };
    }
    if (roll < 0.53) {
      const id = free("c", k.deletedCustomers);
      if (id === undefined) return undefined;
      claim(`c${id}`);
      after.push(() => (k.deletedCustomers.delete(id), k.customers.add(id)));
      stats.reinserts++;
      return insertSql(`${s}.customers`, { id, ...customer(r) });
    }
    if (roll < 0.55) {
      // A primary-key change: Debezium emits a delete of the old key and a create of the new one.
      const id = free("c", k.customers);
      if (id === undefined) return undefined;
      const to = k.newCustomerId();
      claim(`c${id}`);
      claim(`c${to}`);
      after.push(() => (k.customers.delete(id), k.deletedCustomers.add(id), k.customers.add(to)));
      stats.keyChanges++;
      return { text: `UPDATE ${s}.customers SET id = $1, note = 'moved' WHERE id = $2`, values: [to, id] };
    }
    if (roll < 0.6) {
      if (hotDone) return undefined;
      const ids = [...new Set(Array.from({ length: int(r, 1, 4) }, () => int(r, 1, HOT)))].sort(
        (a, b) => a - b,
      );
      stats.updates += ids.length;
      // ANY over a sorted array locks the rows in key order: no deadlock between two hot updates.
      return updateSql(`${s}.customers /*hot*/`, customerChange(r), "id = ANY($1)", [ids]);
    }
    if (roll < 0.85) return this.#orderStatement(r, k, stats, after, touched);
    return this.#deviceStatement(r, k, stats, after, touched);
  }

  #orderStatement(
    r: Rng,
    k: Keys,
    stats: WorkloadStats,
    after: (() => void)[],
    touched: Set<string>,
  ): Query | undefined {
    const t = `${this.#schema}.order_lines`;
    const freeKey = (m: Map<string, [string, number]>): string | undefined =>
      anyOf(
        r,
        [...m.keys()].filter((x) => !touched.has(`o${x}`)),
      );
    const roll = r();
    if (roll < 0.3) {
      const key: [string, number] = [orderRef(r, k.session, k.nextOrder++), int(r, 1, 5)];
      const id = JSON.stringify(key);
      touched.add(`o${id}`);
      after.push(() => k.orders.set(id, key));
      stats.inserts++;
      return insertSql(t, { order_ref: key[0], line_no: key[1], ...orderLine(r) });
    }
    if (roll < 0.7) {
      const id = freeKey(k.orders);
      if (id === undefined) return undefined;
      stats.updates++;
      return updateSql(
        t,
        { qty: int(r, 1, 1000), ...(r() < 0.5 ? orderLine(r) : {}) },
        "order_ref = $1 AND line_no = $2",
        k.orders.get(id)!,
      );
    }
    const from = roll < 0.88 ? k.orders : k.deletedOrders;
    const id = freeKey(from);
    if (id === undefined) return undefined;
    const key = from.get(id)!;
    touched.add(`o${id}`);
    if (from === k.orders) {
      after.push(() => (k.orders.delete(id), k.deletedOrders.set(id, key)));
      stats.deletes++;
      return { text: `DELETE FROM ${t} WHERE order_ref = $1 AND line_no = $2`, values: key };
    }
    after.push(() => (k.deletedOrders.delete(id), k.orders.set(id, key)));
    stats.reinserts++;
    return insertSql(t, { order_ref: key[0], line_no: key[1], ...orderLine(r) });
  }

  #deviceStatement(
    r: Rng,
    k: Keys,
    stats: WorkloadStats,
    after: (() => void)[],
    touched: Set<string>,
  ): Query | undefined {
    const t = `${this.#schema}.devices`;
    const free = (xs: Set<string>): string | undefined =>
      anyOf(
        r,
        [...xs].filter((x) => !touched.has(`d${x}`)),
      );
    const roll = r();
    if (roll < 0.3) {
      const id = crypto.randomUUID();
      touched.add(`d${id}`);
      after.push(() => k.devices.add(id));
      stats.inserts++;
      return insertSql(t, { id, ...device(r) });
    }
    if (roll < 0.75) {
      const id = free(k.devices);
      if (id === undefined) return undefined;
      stats.updates++;
      return updateSql(t, device(r), "id = $1", [id]);
    }
    const fromLive = roll < 0.9;
    const id = free(fromLive ? k.devices : k.deletedDevices);
    if (id === undefined) return undefined;
    touched.add(`d${id}`);
    if (fromLive) {
      after.push(() => (k.devices.delete(id), k.deletedDevices.add(id)));
      stats.deletes++;
      return { text: `DELETE FROM ${t} WHERE id = $1`, values: [id] };
    }
    after.push(() => (k.deletedDevices.delete(id), k.devices.add(id)));
    stats.reinserts++;
    return insertSql(t, { id, ...device(r) });
  }

  /**
   * Fills `trunc`, deletes some rows, TRUNCATEs it, re-inserts a few. The sink skips `op: t`, so the
   * rows live at the truncate and not re-inserted stay live items: returns their ids, sorted.
   */
  async truncateScenario(seed: number): Promise<number[]> {
    const r = rng(seed);
    const t = `${this.#schema}.trunc`;
    return this.#withClient(async (c) => {
      for (let i = 0; i < 10; i++)
        await c.query(`INSERT INTO ${t} SELECT g, 'v' || g FROM generate_series($1::int, $2::int) g`, [
          i * 20 + 1,
          i * 20 + 20,
        ]);
      await c.query(`DELETE FROM ${t} WHERE id % 7 = 0`);
      const live = (await c.query<{ id: number }>(`SELECT id FROM ${t}`)).rows.map((x) => x.id);
      await c.query(`TRUNCATE ${t}`);
      const again = [...new Set(Array.from({ length: 40 }, () => int(r, 1, 220)))];
      for (const id of again) await c.query(`INSERT INTO ${t} VALUES ($1, 'again')`, [id]);
      return live.filter((id) => !again.includes(id)).sort((a, b) => a - b);
    });
  }

  /** Creates `audit` and writes to it; Debezium's topic for it appears only now. */
  async lateTable(rows: number, seed: number): Promise<number> {
    const r = rng(seed);
    const t = `${this.#schema}.audit`;
    return this.#withClient(async (c) => {
      await c.query(lateTableDdl(this.#schema));
      let changes = 0;
      for (let id = 1; id <= rows; id++, changes++) await c.query(insertSql(t, { id, ...auditRow(r) }));
      for (let id = 1; id <= rows; id += 3, changes++)
        await c.query(updateSql(t, auditRow(r), "id = $1", [id]));
      for (let id = 2; id <= rows; id += 5, changes++) await c.query(`DELETE FROM ${t} WHERE id = $1`, [id]);
      return changes;
    });
  }

  /** Moves the fence row: once its change reached DynamoDB, every earlier commit was captured. */
  async fence(): Promise<number> {
    return this.#withClient(
      async (c) =>
        (
          await c.query<{ n: string }>(`UPDATE ${this.#schema}.fence SET n = n + 1 WHERE id = 1 RETURNING n`)
        ).rows.map((x) => Number(x.n))[0]!,
    );
  }
}

export type { Values };
