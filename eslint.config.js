import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".stack/", "coverage/", "helm/"] },
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
  { files: ["**/*.js"], ...tseslint.configs.disableTypeChecked },
);
