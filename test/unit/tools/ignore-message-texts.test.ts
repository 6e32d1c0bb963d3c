// The mutation run's ignorer (tools/mutation/ignore-message-texts.ts) on a sample of the code it
// meets: message prose is ignored, codes and every literal with a meaning are not. Babel parses as
// Stryker's instrumenter does (its parser and traverse, installed with Stryker).

import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "@babel/parser";
import traverse from "@babel/traverse";
import { whyIgnored } from "../../../tools/mutation/ignore-message-texts.ts";

const sample = `
class RetryAborted extends Error {
  constructor() { super("aborted text"); }
}
class Other {
  constructor() { super("kept: not an Error subclass"); }
}
function f(err: unknown, x: string, flag: boolean) {
  throw new PoisonError("code_kept", "poison text");
  throw new FatalError("fatal_code_kept", \`fatal \${x}\`, 3);
  throw new ClassifiedError("poison", "classified_code_kept", "classified text");
  throw new Error(\`plain \${(err as Error).message} \${describe(x)}\`);
  const message = \`built \${x}. \` + "more";
  this.#d.log.warn({ code: "field_kept" }, \`warned \${x}\`);
  log.info("logged");
  this.#log.warn({}, \`logic kept \${flag ? "yes kept" : "no kept"}\`);
  const label = "label kept";
  return { S: "pg: kept" };
}
`;

function ignoredTexts(code: string): Map<string, string | undefined> {
  const ast = parse(code, { sourceType: "module", plugins: ["typescript"], errorRecovery: true });
  const seen = new Map<string, string | undefined>();
  traverse(ast, {
    enter(path) {
      const node = path.node;
      if (
        node.type !== "StringLiteral" &&
        node.type !== "TemplateLiteral" &&
        node.type !== "BinaryExpression"
      )
        return;
      if (node.start == null || node.end == null) return;
      seen.set(code.slice(node.start, node.end), whyIgnored(path as never));
    },
  });
  return seen;
}

test("message prose is ignored; codes and literals with a meaning are not", () => {
  const seen = ignoredTexts(sample);
  const ignored = [...seen].filter(([, why]) => why !== undefined).map(([text]) => text);
  assert.deepEqual(ignored, [
    '"aborted text"',
    '"poison text"',
    "`fatal ${x}`",
    '"classified text"',
    "`plain ${(err as Error).message} ${describe(x)}`",
    '`built ${x}. ` + "more"',
    "`warned ${x}`",
    '"logged"',
  ]);
  for (const kept of [
    '"kept: not an Error subclass"',
    '"code_kept"',
    '"fatal_code_kept"',
    '"classified_code_kept"',
    '"field_kept"',
    '`logic kept ${flag ? "yes kept" : "no kept"}`',
    '"label kept"',
    '"pg: kept"',
  ])
    assert.equal(seen.get(kept), undefined, kept);
});
