// The stack's Java finder: candidates are asked their version, the first new enough wins, and when
// none is, the error names each candidate and what it is.

import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { findJava, javaCandidates, javaMajor } from "../../../tools/stack/java.ts";

/** A fake `java` that prints `version` the way `java -version` does (on stderr). */
function fakeJava(root: string, name: string, version: string): string {
  const bin = join(root, name, "bin");
  mkdirSync(bin, { recursive: true });
  const file = join(bin, "java");
  writeFileSync(file, `#!/bin/sh\necho 'openjdk version "${version}" 2025-01-01' >&2\n`);
  chmodSync(file, 0o755);
  return file;
}

test("versions are read as Java prints them, old and new numbering", () => {
  const root = mkdtempSync(join(tmpdir(), "java-test-"));
  assert.equal(javaMajor(fakeJava(root, "a", "1.8.0_392")), 8);
  assert.equal(javaMajor(fakeJava(root, "b", "17.0.9")), 17);
  assert.equal(javaMajor(fakeJava(root, "c", "25")), 25);
  assert.equal(javaMajor(join(root, "missing", "java")), 0);
});

test("the first candidate new enough wins; JAVA_HOME first, then PATH, then the JVM folders", () => {
  const root = mkdtempSync(join(tmpdir(), "java-test-"));
  const old = fakeJava(root, "jdk-17", "17.0.2");
  const home = fakeJava(root, "home", "11.0.1");
  const recent = fakeJava(root, "jdk-21", "21.0.5");
  const candidates = javaCandidates({ JAVA_HOME: join(root, "home") }, [root]);
  assert.equal(candidates[0], home);
  assert.equal(candidates[1], "java");
  assert.ok(candidates.includes(old) && candidates.includes(recent));
  assert.deepEqual(findJava(21, [home, old, recent]), { bin: recent, major: 21 });
  assert.throws(
    () => findJava(21, [home, old, join(root, "nope", "java")]),
    (err: Error) =>
      err.message.includes(`${home} (Java 11)`) &&
      err.message.includes(`${old} (Java 17)`) &&
      err.message.includes("does not run") &&
      /no Java 21\+ runtime found/.test(err.message),
  );
});
