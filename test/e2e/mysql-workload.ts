// The MySQL/MariaDB source of the end-to-end suite: a database with tables of the types reconcile
// maps (test/e2e/mysql.test.ts), and a workload of several sessions running interleaved multi-row
// transactions: inserts, updates, deletes, re-inserts of deleted keys, primary-key changes (Debezium
// emits a delete of the old key and a create of the new one) and rolled-back transactions. Sessions
// own disjoint key ranges, so no transaction waits for another's locks.

import mysql from "mysql2/promise";
import { rng, type Rng } from "./schema.ts";
import type { WorkloadStats } from "./workload.ts";
import { emptyStats } from "./workload.ts";

export const MYSQL_TABLES = ["customers", "order_lines", "fence"] as const;

export function mysqlDdl(db: string): string[] {
  return [
    `CREATE DATABASE ${db}`,
    `CREATE TABLE ${db}.customers (
       id INT PRIMARY KEY, name VARCHAR(80) NOT NULL, tier ENUM('free','pro','team') NOT NULL,
       balance DECIMAL(14,2), score FLOAT, ratio DOUBLE, big BIGINT, born DATE, seen DATETIME(6),
       touched TIMESTAMP(3) NULL, photo VARBINARY(64), prefs JSON, note TEXT, version INT NOT NULL DEFAULT 0
     ) ENGINE=InnoDB`,
    `CREATE TABLE ${db}.order_lines (
       customer_id INT NOT NULL, line SMALLINT NOT NULL, sku CHAR(8) NOT NULL, qty INT NOT NULL,
       price DECIMAL(10,3) NOT NULL, shipped DATETIME(3), PRIMARY KEY (customer_id, line)
     ) ENGINE=InnoDB`,
    `CREATE TABLE ${db}.fence (id INT PRIMARY KEY, n BIGINT NOT NULL) ENGINE=InnoDB`,
    `INSERT INTO ${db}.fence VALUES (1, 0)`,
  ];
}

function customer(id: number, r: Rng): mysql.ExecuteValues[] {
  const tiers = ["free", "pro", "team"];
  const when = 1_600_000_000_000 + Math.floor(r() * 1e11);
  const iso = (ms: number, digits: number): string =>
    new Date(ms)
      .toISOString()
      .replace("T", " ")
      .replace("Z", "")
      .slice(0, 20 + digits) + (digits > 3 ? String(Math.floor(r() * 1000)).padStart(digits - 3, "0") : "");
  return [
    id,
    `c${id}-${Math.floor(r() * 1e6)} ünï`,
    tiers[Math.floor(r() * 3)]!,
    (r() * 1e6 - 5e5).toFixed(2),
    r() < 0.2 ? null : Math.fround(r() * 1000 - 500),
    Math.round(r() * 1e6) / 64,
    r() < 0.1 ? "9007199254740993" : String(Math.floor(r() * 1e12)),
    new Date(when).toISOString().slice(0, 10),
    iso(when, 6),
    r() < 0.2 ? null : iso(when, 3),
    r() < 0.3
      ? null
      : Buffer.from(Array.from({ length: 1 + Math.floor(r() * 20) }, () => Math.floor(r() * 256))),
    r() < 0.3 ? null : JSON.stringify({ theme: r() < 0.5 ? "dark" : "light", n: Math.floor(r() * 100) }),
    r() < 0.5 ? null : "x".repeat(Math.floor(r() * 300)),
  ];
}

const CUSTOMER_COLUMNS =
  "id, name, tier, balance, score, ratio, big, born, seen, touched, photo, prefs, note";
const insertCustomer = (db: string): string =>
  `INSERT INTO ${db}.customers (${CUSTOMER_COLUMNS}) VALUES (${CUSTOMER_COLUMNS.split(",")
    .map(() => "?")
    .join(", ")})`;

/** Keys one session owns. */
class Owned {
  readonly live = new Set<number>();
  readonly deleted = new Set<number>();
  readonly session: number;
  readonly sessions: number;
  next: number;
  constructor(session: number, sessions: number) {
    this.session = session;
    this.sessions = sessions;
    this.next = 1_000_000 + session;
  }
  fresh(): number {
    const id = this.next;
    this.next += this.sessions;
    return id;
  }
  pick(r: Rng, from: Set<number>): number | undefined {
    if (from.size === 0) return undefined;
    const all = [...from];
    return all[Math.floor(r() * all.length)];
  }
}

export class MysqlWorkload {
  private readonly owned: Owned[];
  private readonly url: string;
  private readonly db: string;
  readonly sessions: number;
  constructor(url: string, db: string, sessions: number) {
    this.url = url;
    this.db = db;
    this.sessions = sessions;
    this.owned = Array.from({ length: sessions }, (_, i) => new Owned(i, sessions));
  }

  connect(): Promise<mysql.Connection> {
    return mysql.createConnection({ uri: this.url, supportBigNumbers: true, bigNumberStrings: true });
  }

  async create(): Promise<void> {
    const c = await this.connect();
    try {
      for (const ddl of mysqlDdl(this.db)) await c.query(ddl);
    } finally {
      await c.end();
    }
  }

  /** Rows present before the connector starts (its snapshot reads them). */
  async load(customers: number, seed: number): Promise<number> {
    const r = rng(seed);
    const c = await this.connect();
    try {
      await c.beginTransaction();
      for (let i = 0; i < customers; i++) {
        const owner = this.owned[i % this.sessions]!;
        const id = owner.fresh();
        await c.execute(insertCustomer(this.db), customer(id, r));
        owner.live.add(id);
        for (let line = 1; line <= 2; line++)
          await c.execute(`INSERT INTO ${this.db}.order_lines VALUES (?, ?, ?, ?, ?, NULL)`, [
            id,
            line,
            `sku${line}`,
            line,
            "1.500",
          ]);
      }
      await c.commit();
    } finally {
      await c.end();
    }
    return customers * 3;
  }

  /** `transactions` per session, all sessions at once. */
  async run(transactions: number, seed: number): Promise<WorkloadStats> {
    const stats = await Promise.all(
      this.owned.map((o) => this.session(o, transactions, seed * 100 + o.session)),
    );
    const total = emptyStats();
    for (const s of stats) for (const k of Object.keys(s) as (keyof WorkloadStats)[]) total[k] += s[k];
    return total;
  }

  private async session(o: Owned, transactions: number, seed: number): Promise<WorkloadStats> {
    const r = rng(seed);
    const s = emptyStats();
    const c = await this.connect();
    const db = this.db;
    try {
      for (let t = 0; t < transactions; t++) {
        const rollback = r() < 0.08;
        const live = new Set(o.live);
        const deleted = new Set(o.deleted);
        await c.beginTransaction();
        const steps = 2 + Math.floor(r() * 5);
        for (let i = 0; i < steps; i++) {
          const what = r();
          const id = o.pick(r, live);
          if (what < 0.25 || id === undefined) {
            const fresh = o.fresh();
            await c.execute(insertCustomer(db), customer(fresh, r));
            live.add(fresh);
            s.inserts++;
          } else if (what < 0.6) {
            // Several rows in one statement: one rows event with several rows (source.row 0, 1, …).
            const more = o.pick(r, live) ?? id;
            await c.execute(
              `UPDATE ${db}.customers SET balance = balance + ?, score = ?, seen = ?, version = version + 1 WHERE id IN (?, ?)`,
              [(r() * 100).toFixed(2), Math.fround(r() * 100), "2026-12-02 03:00:00.123456", id, more],
            );
            await c.execute(`UPDATE ${db}.order_lines SET qty = qty + 1 WHERE customer_id = ?`, [id]);
            s.updates += 2;
          } else if (what < 0.75) {
            await c.execute(`DELETE FROM ${db}.order_lines WHERE customer_id = ?`, [id]);
            await c.execute(`DELETE FROM ${db}.customers WHERE id = ?`, [id]);
            live.delete(id);
            deleted.add(id);
            s.deletes++;
          } else if (what < 0.88 && deleted.size > 0) {
            const back = o.pick(r, deleted)!;
            await c.execute(insertCustomer(db), customer(back, r));
            deleted.delete(back);
            live.add(back);
            s.reinserts++;
          } else {
            // A primary-key change: Debezium emits a delete of the old key and a create of the new.
            const moved = o.fresh();
            await c.execute(`DELETE FROM ${db}.order_lines WHERE customer_id = ?`, [id]);
            await c.execute(`UPDATE ${db}.customers SET id = ? WHERE id = ?`, [moved, id]);
            live.delete(id);
            deleted.add(id);
            live.add(moved);
            s.keyChanges++;
          }
        }
        if (rollback) {
          await c.rollback();
          s.rolledBack++;
        } else {
          await c.commit();
          o.live.clear();
          for (const k of live) o.live.add(k);
          o.deleted.clear();
          for (const k of deleted) o.deleted.add(k);
          s.transactions++;
        }
      }
    } finally {
      await c.end();
    }
    return s;
  }

  /** Bumps the fence; once its item carries the number, everything committed before has arrived. */
  async fence(): Promise<number> {
    const c = await this.connect();
    try {
      await c.query(`UPDATE ${this.db}.fence SET n = n + 1 WHERE id = 1`);
      const [rows] = await c.query<mysql.RowDataPacket[]>(`SELECT n FROM ${this.db}.fence WHERE id = 1`);
      return Number(rows[0]!["n"]);
    } finally {
      await c.end();
    }
  }

  /** Runs one statement on a fresh connection (FLUSH BINARY LOGS, SET GLOBAL …). */
  async admin(sql: string, values: mysql.ExecuteValues[] = []): Promise<mysql.RowDataPacket[]> {
    const c = await this.connect();
    try {
      const [rows] = await c.query<mysql.RowDataPacket[]>(sql, values);
      return rows;
    } finally {
      await c.end();
    }
  }

  /** Two updates of one row in one transaction; returns the final note. */
  async twoUpdatesInOneTransaction(id: number, tag: string): Promise<string> {
    const c = await this.connect();
    try {
      await c.beginTransaction();
      await c.execute(`UPDATE ${this.db}.customers SET note = ?, version = version + 1 WHERE id = ?`, [
        `${tag}-first ${"y".repeat(300)}`,
        id,
      ]);
      await c.execute(`UPDATE ${this.db}.customers SET note = ?, version = version + 1 WHERE id = ?`, [
        `${tag}-second`,
        id,
      ]);
      await c.commit();
      return `${tag}-second`;
    } finally {
      await c.end();
    }
  }

  /** A live key of session 0 (none of the workload's sessions touches it while a phase is not running). */
  someLiveKey(): number {
    const id = [...this.owned[0]!.live][0];
    if (id === undefined) throw new Error("no live customer");
    return id;
  }
}
