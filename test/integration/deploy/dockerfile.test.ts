// The Dockerfile and .dockerignore, checked statically (no Docker engine here): Node 24 in every
// stage, a production-only runtime stage, a numeric non-root user, the CLI as entrypoint.
import assert from "node:assert/strict";
import { builtinModules } from "node:module";
import { globSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "./deploy-support.ts";

type Instruction = { op: string; args: string };

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => {
      const [op = "", ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(" ") };
    });
}

const dockerfile = instructions(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  bin: Record<string, string>;
  scripts: Record<string, string>;
};

function stages(): Map<string, Instruction[]> {
  const out = new Map<string, Instruction[]>();
  let current: Instruction[] | undefined;
  for (const i of dockerfile) {
    if (i.op === "FROM") {
      const name = /\bAS\s+(\S+)$/i.exec(i.args)?.[1];
      assert.ok(name, `every stage is named: FROM ${i.args}`);
      current = [];
      out.set(name, current);
    } else current?.push(i);
  }
  return out;
}

test("every stage is the official Node image of the project's Node major (slim or alpine)", () => {
  const arg = dockerfile.find((i) => i.op === "ARG" && i.args.startsWith("NODE_IMAGE="));
  assert.ok(arg, "ARG NODE_IMAGE");
  const image = arg.args.slice("NODE_IMAGE=".length);
  const major = /^(\d+)\./.exec(pkg.devDependencies["node"] ?? "")?.[1];
  assert.ok(major, "package.json pins node");
  assert.match(
    image,
    new RegExp(`^node:${major}(\\.[0-9.]+)?-([a-z]+-slim|alpine[0-9.]*)(@sha256:[a-f0-9]{64})?$`),
  );
  for (const from of dockerfile.filter((i) => i.op === "FROM"))
    assert.match(from.args, /^\$\{NODE_IMAGE\} AS /);
});

test("build stage: npm ci and npm run build; the runtime gets production dependencies only", () => {
  const s = stages();
  const build = s.get("build") ?? [];
  assert.ok(build.some((i) => i.op === "RUN" && /\bnpm ci\b/.test(i.args)));
  assert.ok(build.some((i) => i.op === "RUN" && /\bnpm run build\b/.test(i.args)));
  assert.equal(pkg.scripts["build"], "tsc -p tsconfig.build.json");
  const deps = s.get("prod-deps") ?? [];
  assert.ok(deps.some((i) => i.op === "RUN" && /\bnpm ci\b.*--omit=dev/.test(i.args)));
  const runtime = s.get("runtime") ?? [];
  const copies = runtime.filter((i) => i.op === "COPY").map((i) => i.args);
  assert.ok(copies.includes("--from=prod-deps /app/node_modules ./node_modules"));
  assert.ok(copies.includes("--from=build /app/dist ./dist"));
  assert.ok(
    !copies.some((c) => /--from=build \S*node_modules/.test(c)),
    "no dev dependencies in the runtime",
  );
  assert.equal([...s.keys()].at(-1), "runtime", "the runtime stage is the image's final stage");
});

test("runtime: numeric non-root user, port 8080, the CLI's entrypoint with `run` as command", () => {
  const runtime = stages().get("runtime") ?? [];
  const user = runtime.filter((i) => i.op === "USER").at(-1);
  assert.ok(user, "USER set");
  const [uid, gid] = user.args.split(":").map(Number);
  assert.ok(uid !== undefined && uid >= 10000, `numeric uid >= 10000, got ${user.args}`);
  assert.ok(gid !== undefined && gid > 0);
  assert.ok(runtime.some((i) => i.op === "EXPOSE" && i.args === "8080"));
  const entrypoint = JSON.parse(runtime.find((i) => i.op === "ENTRYPOINT")?.args ?? "null") as string[];
  assert.equal(entrypoint[0], "node");
  assert.equal(entrypoint.at(-1), pkg.bin["cdc-sink"], "the package's bin");
  assert.deepEqual(JSON.parse(runtime.find((i) => i.op === "CMD")?.args ?? "null"), ["run"]);
  // The chart runs the image as 10001 as well.
  const values = readFileSync(join(ROOT, "helm/cdc-dynamodb-sink/values.yaml"), "utf8");
  assert.match(values, new RegExp(`runAsUser: ${uid}\\b`));
});

test(".dockerignore admits only the build's inputs", () => {
  const lines = readFileSync(join(ROOT, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  assert.equal(lines[0], "*", "deny everything first");
  const allowed = lines.filter((l) => l.startsWith("!")).map((l) => l.slice(1));
  assert.deepEqual(allowed.sort(), [
    "package-lock.json",
    "package.json",
    "src/",
    "tsconfig.build.json",
    "tsconfig.json",
  ]);
  // Every file the Dockerfile copies from the context is admitted.
  for (const c of dockerfile.filter((i) => i.op === "COPY" && !i.args.startsWith("--from"))) {
    const sources = c.args.split(/\s+/).slice(0, -1);
    for (const src of sources)
      assert.ok(allowed.includes(src) || allowed.includes(`${src}/`), `${src} is ignored`);
  }
});

test("the runtime needs only production dependencies: every package src/ imports is one", () => {
  const builtins = new Set(builtinModules);
  const imported = new Set<string>();
  for (const file of globSync("src/**/*.ts", { cwd: ROOT })) {
    const text = readFileSync(join(ROOT, file), "utf8");
    // Value imports only: `import type` is erased and needs nothing at run time.
    for (const m of text.matchAll(
      new RegExp(
        String.raw`^\s*(?:import(?!\s+type\b)[^"';]*?from\s*|import\s*\(\s*|export[^"';]*?from\s*)` +
          String.raw`["']([^"'.][^"']*)["']`,
        "gm",
      ),
    )) {
      const spec = m[1]!;
      if (spec.startsWith("node:") || builtins.has(spec)) continue;
      imported.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!);
    }
  }
  assert.ok(imported.size > 0, "found the service's imports");
  const missing = [...imported].filter((name) => !(name in pkg.dependencies));
  assert.deepEqual(
    missing,
    [],
    "imported by src/ but not a production dependency (the image prunes dev dependencies)",
  );
});
