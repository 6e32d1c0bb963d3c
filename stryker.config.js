// Mutation testing of the pure code (`npm run test:mutation`, issue 22): Stryker changes one
// operator, condition or literal at a time in src/core and src/engine and runs the unit tests that
// reach it; a change no test notices is a line no test guards. Slow (tens of minutes on two cores),
// so it is not part of every CI run. Reports: reports/mutation/ (gitignored); the score per file is
// printed at the end.
// @ts-check

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  mutate: [
    "src/core/**/*.ts",
    "src/engine/**/*.ts",
    // Types only: nothing to mutate.
    "!src/engine/ports.ts",
  ],

  // The unit tests as node runs them, no build: each test file is one node process (the TAP
  // runner's unit of work), .ts stripped of its types by node itself. Stryker's hook (-r) records
  // which mutants a file reaches, so each mutant runs only the files that cover it ("perTest" here
  // means per test file). node's test runner prints its spec format unless asked for TAP.
  // Only the tests of the pure code: the other unit files (adapters, telemetry, config, reconcile,
  // docs) reach core code too but load SDKs, and made a run several times longer. A mutant only
  // they would catch counts as survived, so the score is a lower bound of the whole suite's.
  testRunner: "tap",
  tap: {
    testFiles: ["test/unit/core/**/*.test.ts", "test/unit/engine/**/*.test.ts"],
    nodeArgs: ["--test-reporter=tap", "-r", "{{hookFile}}", "{{testFile}}"],
  },
  coverageAnalysis: "perTest",

  plugins: ["@stryker-mutator/*", "./tools/mutation/ignore-message-texts.ts"],
  // The prose of error and log messages is not behaviour: see tools/mutation/ignore-message-texts.ts
  // for exactly which literals. Codes and every other string literal stay mutated, so the
  // StringLiteral mutator as a whole is not excluded (it guards the identity escapes, `$b64`, the
  // version prefixes).
  ignorers: ["message-texts"],
  // Equivalent mutants (no behaviour can tell them apart) are disabled where they stand, each with
  // its reason: `grep -rn "Stryker disable" src` (a comment can name the line and the mutator; the
  // config cannot). Today: coalesce's offset comparison (offsets of one group are never equal, and
  // V8's sort only asks "below 0?"), the sign test of an empty decimal, the year and day tests of a
  // rolled-over date and `?? "0"` offsets in iso-time.ts, and the compaction thresholds of the
  // watermark and limiter and the type-only lists of error-codes.ts.

  // Two workers: the machine is shared (two cores, other suites running). A mutant run that takes
  // 5 s longer than its tests did unmutated counts as an infinite loop (Stryker's default), as does
  // one that reaches mutated code 100 times more often than the unmutated run ("hit limit").
  concurrency: 2,
  timeoutMS: 5000,
  // At `break` the command fails. Stryker checks only the total; the clear-text table shows each file
  // (the target is 80 % each).
  thresholds: { high: 90, low: 80, break: 90 },

  reporters: ["clear-text", "progress-append-only", "html", "json"],
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true },
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  // `--incremental` reuses the results of unchanged mutants and test files from the last run.
  incrementalFile: "reports/mutation/stryker-incremental.json",
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
