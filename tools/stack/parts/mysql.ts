import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { StackError } from "../errors.ts";
import { runToEnd } from "../process.ts";
import { logFile, partDir, type StackState } from "../state.ts";
import type { Part } from "./part.ts";

/**
 * Debian's MariaDB (`mariadb-server`: mariadbd, mariadb-install-db) or a MySQL whose binaries sit in
 * CDC_SINK_MYSQL_BIN (a folder holding the server and the install-db script).
 */
export function findMysqlBin(): { server: string; installDb: string } {
  const dirs = process.env.CDC_SINK_MYSQL_BIN ? [process.env.CDC_SINK_MYSQL_BIN] : ["/usr/sbin", "/usr/bin"];
  const find = (names: string[]): string | undefined =>
    dirs.flatMap((d) => names.map((n) => join(d, n))).find((f) => existsSync(f));
  const server = find(["mariadbd", "mysqld"]);
  const installDb = find(["mariadb-install-db", "mysql_install_db"]);
  if (server === undefined || installDb === undefined) {
    throw new StackError(
      "MariaDB server binaries (mariadbd, mariadb-install-db) not found in /usr/sbin or /usr/bin: apt-get " +
        "install mariadb-server, or set CDC_SINK_MYSQL_BIN",
    );
  }
  return { server, installDb };
}

function settings(state: StackState): NonNullable<StackState["mysql"]> {
  if (state.mysql === undefined) throw new StackError("mysql settings missing from stack.json");
  return state.mysql;
}

// mariadbd refuses to run as root unless told to; the data dir is ours, so run as whoever we are.
const asUser = (): string[] => (process.getuid?.() === 0 ? ["--user=root"] : []);

/**
 * The server's options, all on the command line after --no-defaults (no /etc/mysql file applies).
 * Debezium's MySQL connector reads the binlog as a replica does and needs whole row images:
 * log_bin, binlog_format=ROW, binlog_row_image=FULL and a server_id (its own differs from ours).
 */
function serverArgs(state: StackState): string[] {
  const home = partDir(state.dir, "mysql");
  return [
    "--no-defaults",
    ...asUser(),
    `--datadir=${join(home, "data")}`,
    `--socket=${join(home, "mysqld.sock")}`,
    `--pid-file=${join(home, "mysqld.pid")}`,
    `--tmpdir=${home}`,
    `--port=${state.ports.mysql}`,
    "--bind-address=127.0.0.1",
    "--skip-name-resolve",
    `--log-bin=${join(home, "data", "binlog")}`,
    "--binlog-format=ROW",
    "--binlog-row-image=FULL",
    "--server-id=1",
    // Runs at every start, before connections are taken: the stack's user and database.
    `--init-file=${join(home, "init.sql")}`,
    // A throw-away server: small buffers, and no fsync per commit (an OS crash loses it anyway).
    "--innodb-buffer-pool-size=64M",
    "--innodb-flush-log-at-trx-commit=2",
    "--sync-binlog=0",
    "--performance-schema=OFF",
  ];
}

/** A throw-away MariaDB on loopback with a row-based binlog, its data and socket in the state dir. */
export const mysqlPart: Part = {
  name: "mysql",
  // SIGTERM is mariadbd's normal shutdown.
  stopSignal: "SIGTERM",
  readyTimeoutMs: 60_000,

  async prepare(state) {
    const home = partDir(state.dir, "mysql");
    const { installDb, user, password, database } = settings(state);
    mkdirSync(home, { recursive: true });
    const quoted = (s: string): string => `'${s.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
    writeFileSync(
      join(home, "init.sql"),
      [
        `CREATE USER IF NOT EXISTS ${quoted(user)}@'%' IDENTIFIED BY ${quoted(password)};`,
        // Debezium needs SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE/CLIENT (and LOCK TABLES
        // for its snapshot); the tests create and drop databases: all of it on a throw-away server.
        `GRANT ALL PRIVILEGES ON *.* TO ${quoted(user)}@'%' WITH GRANT OPTION;`,
        `CREATE DATABASE IF NOT EXISTS \`${database.replaceAll("`", "``")}\`;`,
        "",
      ].join("\n"),
    );
    if (existsSync(join(home, "data", "mysql"))) return;
    const code = await runToEnd({
      cmd: installDb,
      args: [
        "--no-defaults",
        ...asUser(),
        `--datadir=${join(home, "data")}`,
        "--auth-root-authentication-method=socket",
        "--skip-test-db",
      ],
      cwd: home,
      logFile: logFile(state.dir, "mysql"),
    });
    if (code !== 0)
      throw new StackError(`mariadb-install-db failed (exit ${code}): see ${logFile(state.dir, "mysql")}`);
  },

  command(state) {
    const home = partDir(state.dir, "mysql");
    return {
      cmd: settings(state).server,
      args: serverArgs(state),
      cwd: home,
      logFile: logFile(state.dir, "mysql"),
    };
  },

  async probe(state) {
    const { user, password, database } = settings(state);
    const connection = await mysql.createConnection({
      host: "127.0.0.1",
      port: state.ports.mysql,
      user,
      password,
      database,
      connectTimeout: 2_000,
    });
    try {
      await connection.query("SELECT 1");
    } finally {
      await connection.end().catch(() => undefined);
    }
  },
};
