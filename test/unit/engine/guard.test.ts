import assert from "node:assert/strict";
import { test } from "node:test";
import { FailureReporter, guard, safely } from "../../../src/engine/guard.ts";
import type { Log } from "../../../src/engine/ports.ts";

type Line = { fields: Record<string, unknown>; message: string };

function capturingLog(): Log & { warnings: Line[] } {
  const warnings: Line[] = [];
  const none = () => undefined;
  const log = {
    warnings,
    info: none,
    error: none,
    debug: none,
    fatal: none,
    warn: (fields: object | string, message?: string) => {
      warnings.push({ fields: fields as Record<string, unknown>, message: message ?? "" });
    },
    child: () => log,
  };
  return log;
}

test("a failure is logged with the part, the hook, the count held back and the error's message", () => {
  const log = capturingLog();
  const reporter = new FailureReporter(log, "record observer", () => 5_000_000);
  reporter.report("finished", new Error("span exploded"));
  assert.equal(log.warnings.length, 1);
  assert.deepEqual(log.warnings[0]!.fields, {
    telemetry: "record observer",
    hook: "finished",
    suppressed: 0,
  });
  assert.match(log.warnings[0]!.message, /span exploded/);
});

test("a thrown non-Error is logged as text; an Error's other fields never are", () => {
  const log = capturingLog();
  let now = 1_000_000;
  const reporter = new FailureReporter(log, "meter", () => now);
  reporter.report("a", "plain text thrown");
  now += 60_000;
  const err = Object.assign(new Error("refused"), { headers: "authorization: secret" });
  reporter.report("b", err);
  assert.match(log.warnings[0]!.message, /plain text thrown/);
  assert.match(log.warnings[1]!.message, /refused/);
  assert.doesNotMatch(log.warnings[1]!.message, /secret/);
});

test("within a minute of the last line failures are only counted; the next line carries the count", () => {
  const log = capturingLog();
  let now = 1_000_000;
  const reporter = new FailureReporter(log, "exporter", () => now);
  reporter.report("x", new Error("1"));
  now += 30_000;
  reporter.report("x", new Error("2"));
  reporter.report("x", new Error("3"));
  now += 29_999;
  reporter.report("x", new Error("4"));
  assert.equal(log.warnings.length, 1);
  now += 1; // a full minute since the first line
  reporter.report("y", new Error("5"));
  now += 1000;
  reporter.report("y", new Error("6"));
  now += 60_000;
  reporter.report("z", new Error("7"));
  assert.deepEqual(
    log.warnings.map((l) => [l.fields["hook"], l.fields["suppressed"]]),
    [
      ["x", 0],
      ["y", 3],
      ["z", 1],
    ],
  );
});

test("the clock defaults to Date.now", (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: 1_000_000 });
  const log = capturingLog();
  const reporter = new FailureReporter(log, "hooks");
  reporter.report("a", new Error("1"));
  t.mock.timers.tick(59_999);
  reporter.report("a", new Error("2"));
  assert.equal(log.warnings.length, 1);
  t.mock.timers.tick(1);
  reporter.report("a", new Error("3"));
  assert.equal(log.warnings.length, 2);
});

test("a logger or clock that throws is swallowed: reporting never throws", () => {
  const broken = { ...capturingLog(), warn: () => assert.fail("logger down") };
  assert.doesNotThrow(() => new FailureReporter(broken, "x", () => 0).report("h", new Error("e")));
  const log = capturingLog();
  const clockless = new FailureReporter(log, "x", () => assert.fail("clock down"));
  assert.doesNotThrow(() => clockless.report("h", new Error("e")));
  assert.equal(log.warnings.length, 0);
});

test("safely returns the step's value, or reports its failure and returns the fallback", () => {
  const log = capturingLog();
  const reporter = new FailureReporter(log, "x", () => 0);
  assert.equal(
    safely(reporter, "ok", () => 42, -1),
    42,
  );
  assert.equal(log.warnings.length, 0);
  assert.equal(
    safely(reporter, "bad", () => assert.fail("broken"), -1),
    -1,
  );
  assert.equal(log.warnings[0]!.fields["hook"], "bad");
});

test("guarded hooks: results pass through, a throw becomes undefined and is reported by name", () => {
  const log = capturingLog();
  const reporter = new FailureReporter(log, "observer", () => 0);
  const calls: unknown[][] = [];
  const hooks = guard(
    {
      label: "kept",
      add: (a: number, b: number) => (calls.push([a, b]), a + b),
      boom: (): number => {
        throw new Error("hook broke");
      },
    },
    reporter,
  );
  assert.equal(hooks.label, "kept");
  assert.equal(hooks.add(2, 3), 5);
  assert.deepEqual(calls, [[2, 3]]);
  assert.equal(hooks.boom(), undefined);
  assert.equal(log.warnings.length, 1);
  assert.equal(log.warnings[0]!.fields["hook"], "boom");
  assert.match(log.warnings[0]!.message, /hook broke/);
  assert.equal(hooks.add, hooks.add, "each method is wrapped once");
});

test("a guarded method of a class instance runs with its instance as this", () => {
  class Counter {
    n = 0;
    bump(by: number): number {
      return (this.n += by);
    }
  }
  const counter = new Counter();
  const hooks = guard(counter, new FailureReporter(capturingLog(), "x", () => 0));
  assert.equal(hooks.bump(2), 2);
  assert.equal(hooks.bump(3), 5);
  assert.equal(counter.n, 5);
});

test("a rejected hook promise is reported and gives undefined; a resolved one keeps its value", async () => {
  const log = capturingLog();
  const hooks = guard(
    {
      later: () => Promise.resolve("value"),
      fails: () => Promise.reject(new Error("async broke")),
    },
    new FailureReporter(log, "x", () => 0),
  );
  assert.equal(await hooks.later(), "value");
  assert.equal(await hooks.fails(), undefined);
  assert.equal(log.warnings.length, 1);
  assert.equal(log.warnings[0]!.fields["hook"], "fails");
  assert.match(log.warnings[0]!.message, /async broke/);
});

test("a symbol-named hook is reported under its description", () => {
  const log = capturingLog();
  const key = Symbol("hidden");
  const hooks = guard({ [key]: () => assert.fail("x") }, new FailureReporter(log, "x", () => 0));
  hooks[key]();
  assert.equal(log.warnings[0]!.fields["hook"], "Symbol(hidden)");
});
