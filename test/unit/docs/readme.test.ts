import assert from "node:assert/strict";
import { existsSync, globSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ENV_SPEC } from "../../../src/config/env-spec.ts";
import { CONFIGURATION_MD, renderConfiguration } from "../../../tools/docs/config-table.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), "utf8");
const readme = read("README.md");

/** Every Markdown file whose links a reader follows: the README, the root guides and docs/. */
const MARKDOWN = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md", ...globSync("docs/**/*.md", { cwd: ROOT })];

test("README starts with the two commands: the demo and the tests", () => {
  const head = readme.split("\n").slice(0, 15).join("\n");
  assert.match(head, /npm ci && npm run demo/);
  assert.match(head, /npm ci && npm test/);
});

test("README documents every exit code of the CLI", () => {
  for (const code of ["0", "1", "2", "3", "4", "5", "6", "7"])
    assert.match(readme, new RegExp(`^\\| ${code}\\s+\\|`, "m"), `exit code ${code}`);
});

test("docs/configuration.md is generated from the config contract and up to date", async () => {
  const onDisk = readFileSync(CONFIGURATION_MD, "utf8");
  assert.equal(onDisk, await renderConfiguration(), "run `npm run docs` to regenerate docs/configuration.md");
  for (const v of ENV_SPEC) assert.ok(onDisk.includes(`| \`${v.name}\``), `${v.name} is in the table`);
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** The anchors a Markdown file offers, numbered for repeated headings as GitHub does. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of withoutFences(markdown).split("\n")) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading?.[1]) continue;
    const base = slug(heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, "$1"));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Fenced code blocks removed: a heading or link inside one is an example. */
function withoutFences(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1\s*$/gm, "");
}

/** Fenced blocks and inline code spans removed: a link inside them is an example, not a link. */
function withoutCode(markdown: string): string {
  return withoutFences(markdown).replace(/`[^`\n]*`/g, "");
}

/** Relative link targets of a Markdown file: inline links, images and reference definitions. */
function relativeLinks(markdown: string): string[] {
  const text = withoutCode(markdown);
  const targets = [
    ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)].map((m) => m[1] ?? ""),
    ...[...text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*$/gm)].map(
      (m) => m[1] ?? "",
    ),
  ];
  return targets.filter((t) => t !== "" && !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

function brokenLinks(file: string): string[] {
  const broken: string[] = [];
  for (const link of relativeLinks(read(file))) {
    const [path = "", anchor] = link.split("#", 2);
    const target = path === "" ? file : relative(ROOT, join(ROOT, dirname(file), decodeURI(path)));
    if (!existsSync(join(ROOT, target))) {
      broken.push(`${file}: ${link} (no file ${target})`);
      continue;
    }
    if (anchor && target.endsWith(".md") && statSync(join(ROOT, target)).isFile()) {
      if (!anchors(read(target)).has(anchor))
        broken.push(`${file}: ${link} (no heading #${anchor} in ${target})`);
    }
  }
  return broken;
}

test("every relative link in README.md, the root guides and docs/ points to a file (and heading) that exists", () => {
  const broken = MARKDOWN.flatMap(brokenLinks);
  assert.deepEqual(broken, [], `broken links:\n${broken.join("\n")}`);
});

test("the link check sees links, skips code and external addresses, and knows GitHub's anchors", () => {
  const sample = [
    "# Exit codes",
    "## Item layout in DynamoDB",
    "## Changing `VERSION_SOURCE`",
    "See [a](docs/a.md), [b](b.md#item-layout-in-dynamodb) and ![c](img/c.png 'c').",
    "[ref]: ../d.md",
    "`[not](a-link.md)` and [web](https://example.com) and [here](#exit-codes)",
    "```",
    "[also not](x.md)",
    "```",
  ].join("\n");
  assert.deepEqual(relativeLinks(sample), [
    "docs/a.md",
    "b.md#item-layout-in-dynamodb",
    "img/c.png",
    "#exit-codes",
    "../d.md",
  ]);
  assert.deepEqual(
    [...anchors(sample)],
    ["exit-codes", "item-layout-in-dynamodb", "changing-version_source"],
  );
  assert.equal(slug("PostgreSQL types → DynamoDB"), "postgresql-types--dynamodb");
});
