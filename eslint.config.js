import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // The .gitignore entries too (prettier reads .gitignore itself; eslint does not): a Stryker run's
  // sandbox copies the tree into .stryker-tmp, which must not be linted as a second source tree.
  {
    ignores: [
      "dist/",
      "node_modules/",
      ".stack/",
      ".cache/",
      "coverage/",
      "helm/",
      "reports/",
      "bench/results/",
      ".stryker-tmp/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [
            {
              from: "package",
              name: ["test", "it", "describe", "suite", "before", "after", "beforeEach", "afterEach"],
              package: "node:test",
            },
          ],
        },
      ],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-restricted-properties": [
        "error",
        { object: "test", property: "only", message: "Focused tests hide the rest." },
        { object: "test", property: "skip", message: "A skipped test proves nothing." },
        { object: "it", property: "only", message: "Focused tests hide the rest." },
        { object: "it", property: "skip", message: "A skipped test proves nothing." },
        { object: "describe", property: "only", message: "Focused tests hide the rest." },
        { object: "describe", property: "skip", message: "A skipped test proves nothing." },
      ],
    },
  },
  // Layout rules (docs/architecture.md): the pure core imports nothing of the outside world; the
  // engine imports the core and its own ports only. Adapters, the app and telemetry are outside.
  {
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["kafkajs", "kafkajs/*", "@confluentinc/*", "@aws-sdk/*", "@smithy/*", "pg", "pino"],
              message: "src/core is pure: no Kafka, AWS SDK, database or logging client.",
            },
            { group: ["@opentelemetry/*"], message: "src/core is pure: telemetry belongs to src/telemetry." },
            {
              group: [
                "**/engine/**",
                "**/adapters/**",
                "**/app/**",
                "**/config/**",
                "**/telemetry/**",
                "**/reconcile/**",
              ],
              message: "src/core imports only src/core.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/engine/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["kafkajs", "kafkajs/*", "@confluentinc/*", "@aws-sdk/*", "@smithy/*", "pg", "pino"],
              message: "src/engine depends on ports (src/engine/ports.ts), not on clients.",
            },
            {
              group: ["@opentelemetry/*"],
              message: "src/engine reports through RecordObserver and Stats; telemetry implements them.",
            },
            {
              group: ["**/adapters/**", "**/app/**", "**/config/**", "**/telemetry/**", "**/reconcile/**"],
              message: "src/engine imports only src/core and src/engine.",
            },
          ],
        },
      ],
    },
  },
  { files: ["**/*.js"], ...tseslint.configs.disableTypeChecked },
);
