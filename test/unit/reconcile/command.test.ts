// `cdc-sink reconcile`'s contract without a stack: help, usage errors and an unreachable database
// all answer with exit 2 and a message naming the cause (1 is kept for drift alone).

import assert from "node:assert/strict";
import { test } from "node:test";
import { reconcileCommand } from "../../../src/reconcile/command.ts";

async function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io = {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t), isTTY: false },
  };
  const code = await reconcileCommand(args, { DYNAMODB_TABLE: "t", AWS_REGION: "us-east-1", ...env }, io);
  return { code, out, err };
}

test("--help prints the usage and exits 0", async () => {
  const r = await run(["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.out, /Exit codes: 0 no drift, 1 drift, 2 the comparison could not be made/);
});

test("usage errors exit 2 with the reason", async () => {
  const cases: [string[], RegExp][] = [
    [[], /--table is required/],
    [["--table", "public.t", "--pg", "postgres://x"], /--source or --topic-prefix is required/],
    [["--table", "a", "--table", "b", "--source", "s"], /with several --table, use --topic-prefix/],
    [
      ["--table", "t", "--source", "s", "--decimal-handling-mode", "exact"],
      /--decimal-handling-mode must be one of precise, string, double/,
    ],
    [["--table", "t", "--source", "s", "--sample", "0"], /--sample must be a positive integer/],
    [["--table", "t", "--source", "s", "--bogus"], /Unknown option '--bogus'/],
    [["--table", ".t", "--source", "s"], /is not schema\.table/],
  ];
  for (const [args, message] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.err, message);
    assert.equal(r.out, "");
  }
});

test("an unreachable PostgreSQL exits 2 and says so", async () => {
  const r = await run(["--table", "public.t", "--source", "s", "--pg", "postgres://u:p@127.0.0.1:1/db"]);
  assert.equal(r.code, 2);
  assert.match(r.err, /cannot connect to PostgreSQL/);
  assert.doesNotMatch(r.err, /u:p@/, "the connection string's password is not echoed");
});

test("--db picks the database by the URL's scheme; an unknown scheme or both --db and --pg exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["--db", "ftp://u:p@127.0.0.1/db"],
      /--db wants a postgres:\/\/, mysql:\/\/ or mariadb:\/\/ URL, not ftp:\/\//,
    ],
    [["--db", "postgres://x", "--pg", "postgres://x"], /--db and --pg name the same thing/],
    [["--db", "mysql://u:p@127.0.0.1:1/db"], /cannot connect to MySQL\/MariaDB/],
    [["--db", "mariadb://u:p@127.0.0.1:1/db"], /cannot connect to MySQL\/MariaDB/],
    [["--db", "postgresql://u:p@127.0.0.1:1/db"], /cannot connect to PostgreSQL/],
  ];
  for (const [args, message] of cases) {
    const r = await run(["--table", "t", "--source", "s", ...args]);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.err, message);
    assert.doesNotMatch(r.err, /u:p@/, "the connection string's password is not echoed");
  }
});
