import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { StackError } from "../errors.ts";
import { runToEnd } from "../process.ts";
import { logFile, partDir, type StackState } from "../state.ts";
import type { Part } from "./part.ts";

/** The newest Debian server binaries (or CDC_SINK_PG_BIN): initdb and postgres are not on PATH. */
export function findPostgresBin(): string {
  const candidates = process.env.CDC_SINK_PG_BIN
    ? [process.env.CDC_SINK_PG_BIN]
    : existsSync("/usr/lib/postgresql")
      ? readdirSync("/usr/lib/postgresql")
          .sort((a, b) => Number(b) - Number(a))
          .map((version) => `/usr/lib/postgresql/${version}/bin`)
      : [];
  const bin = candidates.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "postgres")));
  if (bin === undefined) {
    throw new StackError(
      "PostgreSQL server binaries (initdb, postgres) not found under /usr/lib/postgresql/*/bin: apt-get " +
        "install postgresql, or set CDC_SINK_PG_BIN",
    );
  }
  return bin;
}

type OsUser = { name: string; uid: number; gid: number };

function lookupUser(name: string): OsUser | undefined {
  const out = spawnSync("getent", ["passwd", name], { encoding: "utf8" });
  const fields = out.status === 0 ? out.stdout.trim().split(":") : [];
  return fields.length >= 4 ? { name, uid: Number(fields[2]), gid: Number(fields[3]) } : undefined;
}

/**
 * initdb and postgres refuse to run as root, so as root we run them as the Debian package's
 * `postgres` user, or a system user `cdcsink` made for the purpose; otherwise as ourselves.
 */
export function postgresOsUser(): string {
  if (process.getuid?.() !== 0) return "";
  if (lookupUser("postgres")) return "postgres";
  if (!lookupUser("cdcsink")) {
    const made = spawnSync("useradd", [
      "--system",
      "--no-create-home",
      "--shell",
      "/usr/sbin/nologin",
      "cdcsink",
    ]);
    if (made.status !== 0)
      throw new StackError("could not create system user cdcsink to run PostgreSQL as non-root");
  }
  return "cdcsink";
}

function runAs(state: StackState): { uid?: number; gid?: number } {
  const name = state.postgres?.osUser ?? "";
  if (name === "") return {};
  const user = lookupUser(name);
  if (user === undefined)
    throw new StackError(`system user ${name} vanished: run npm run stack -- down, then up`);
  return { uid: user.uid, gid: user.gid };
}

function settings(state: StackState): NonNullable<StackState["postgres"]> {
  if (state.postgres === undefined) throw new StackError("postgres settings missing from stack.json");
  return state.postgres;
}

/** A throw-away cluster with logical decoding, on loopback only, its socket in the state dir. */
export const postgresPart: Part = {
  name: "postgres",
  stopSignal: "SIGINT",
  readyTimeoutMs: 60_000,

  async prepare(state) {
    const home = partDir(state.dir, "postgres");
    const owner = runAs(state);
    mkdirSync(home, { recursive: true });
    if (owner.uid !== undefined) {
      // The server's user must reach its data dir through the state dir (mkdtemp makes 0700).
      chmodSync(state.dir, 0o755);
      chownSync(home, owner.uid, owner.gid ?? owner.uid);
    }
    if (existsSync(join(home, "data", "PG_VERSION"))) return;
    const { bin, user, password } = settings(state);
    const pwfile = join(home, "pwfile");
    writeFileSync(pwfile, `${password}\n`, { mode: 0o644 });
    try {
      const code = await runToEnd({
        cmd: join(bin, "initdb"),
        args: [
          "-D",
          join(home, "data"),
          "-U",
          user,
          `--pwfile=${pwfile}`,
          "--auth-host=scram-sha-256",
          "--auth-local=trust",
          "--encoding=UTF8",
          "--locale=C",
          "--no-sync",
          "--no-instructions",
        ],
        cwd: home,
        logFile: logFile(state.dir, "postgres"),
        ...owner,
      });
      if (code !== 0) {
        throw new StackError(`initdb failed (exit ${code}): see ${logFile(state.dir, "postgres")}`);
      }
    } finally {
      rmSync(pwfile, { force: true });
    }
  },

  command(state) {
    const home = partDir(state.dir, "postgres");
    return {
      cmd: join(settings(state).bin, "postgres"),
      args: [
        "-D",
        join(home, "data"),
        "-p",
        String(state.ports.postgres),
        "-k",
        home,
        "-c",
        "listen_addresses=127.0.0.1",
        // Debezium reads changes through a logical replication slot (pgoutput is built in).
        "-c",
        "wal_level=logical",
        "-c",
        "max_replication_slots=10",
        "-c",
        "max_wal_senders=10",
        // A throw-away cluster: durability against an OS crash buys nothing here.
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
      ],
      cwd: home,
      logFile: logFile(state.dir, "postgres"),
      ...runAs(state),
    };
  },

  async probe(state) {
    const { user, password } = settings(state);
    const client = new pg.Client({
      host: "127.0.0.1",
      port: state.ports.postgres,
      user,
      password,
      database: "postgres",
      connectionTimeoutMillis: 2_000,
    });
    try {
      await client.connect();
      await client.query("SELECT 1");
    } finally {
      await client.end().catch(() => undefined);
    }
  },

  async afterReady(state) {
    const { user, password, database } = settings(state);
    const client = new pg.Client({
      host: "127.0.0.1",
      port: state.ports.postgres,
      user,
      password,
      database: "postgres",
    });
    try {
      await client.connect();
      const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
      if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
    } finally {
      await client.end().catch(() => undefined);
    }
  },
};
