import { test } from "node:test";
import { assertBadOption, assertHelp, runCommand } from "../../../support/command.ts";

test("npm run build:confluent -- --help: the usage, exit 0, nothing built into the cache", async () => {
  assertHelp(
    await runCommand("tools/kafka-client/build.ts", ["--help"]),
    /^usage: npm run build:confluent -- \[--json\]/,
  );
});

test("npm run build:confluent -- --bogus: exit 2 with one line and the usage, nothing built", async () => {
  assertBadOption(await runCommand("tools/kafka-client/build.ts", ["--bogus"]), "build:confluent");
});
