import assert from "node:assert/strict";
import { test } from "node:test";
import { parseCommandLine } from "../../../../tools/cli/args.ts";
import { captureIo as capture, exitsWith } from "../../../support/command.ts";

const USAGE = `usage: npm run thing -- [--size N] [--json] [NAME...]
  --size N   how many (default 3)
  --json     the result as JSON on stdout`;
const OPTIONS = { size: { type: "string", default: "3" } } as const;

test("--help and -h print the usage on stdout and exit 0, before anything else", () => {
  for (const flag of ["--help", "-h"]) {
    const c = capture();
    assert.throws(
      () => parseCommandLine("thing", USAGE, OPTIONS, { args: ["--size", "5", flag], io: c.io }),
      exitsWith(0),
    );
    assert.equal(c.out, `${USAGE}\n`);
    assert.equal(c.err, "");
  }
});

test("an unknown option: one line naming it, then the usage, on stderr; exit 2 and no stack trace", () => {
  const c = capture();
  assert.throws(
    () => parseCommandLine("thing", USAGE, OPTIONS, { args: ["--bogus"], io: c.io }),
    exitsWith(2),
  );
  assert.equal(c.out, "");
  const [first, ...rest] = c.err.split("\n");
  assert.match(first!, /^thing: Unknown option '--bogus'/);
  assert.equal(rest.join("\n"), `${USAGE}\n`);
  assert.doesNotMatch(c.err, /^\s+at /m);
});

test("a missing value, a value for a flag and an unexpected argument are usage errors too", () => {
  for (const [args, message] of [
    [["--size"], /^thing: Option '--size <value>' argument missing/],
    [["--json=yes"], /^thing: Option '--json' does not take an argument/],
    [["extra"], /^thing: Unexpected argument 'extra'/],
  ] as const) {
    const c = capture();
    assert.throws(
      () => parseCommandLine("thing", USAGE, OPTIONS, { args: [...args], io: c.io }),
      exitsWith(2),
    );
    assert.match(c.err, message);
    assert.ok(c.err.endsWith(`${USAGE}\n`));
  }
});

test("--json is surfaced beside the command's own options, with their defaults", () => {
  const c = capture();
  const plain = parseCommandLine("thing", USAGE, OPTIONS, { args: [], io: c.io });
  assert.deepEqual({ ...plain.values }, { size: "3", help: false, json: false });
  const json = parseCommandLine("thing", USAGE, OPTIONS, { args: ["--json", "--size=7"], io: c.io });
  assert.equal(json.values.json, true);
  assert.equal(json.values.size, "7");
  assert.deepEqual(json.positionals, []);
  assert.equal(c.out + c.err, "");
});

test("positionals when the command takes them; fail() reports a bad value the way a bad option is", () => {
  const c = capture();
  const r = parseCommandLine("thing", USAGE, OPTIONS, {
    args: ["a", "--json", "b"],
    allowPositionals: true,
    io: c.io,
  });
  assert.deepEqual(r.positionals, ["a", "b"]);
  assert.throws(() => r.fail('--size wants a number, got "x"'), exitsWith(2));
  assert.equal(c.err, `thing: --size wants a number, got "x"\n${USAGE}\n`);
});
