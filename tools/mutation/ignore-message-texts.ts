// A Stryker ignorer (stryker.config.js, `ignorers: ["message-texts"]`): mutants of the prose in
// error and log messages are not counted. Replacing "the message key is null" with "" changes what a
// human reads, not what the service does; a test that pins such a text would only copy it. Codes
// (`missing_key`), exit codes, item attributes and version strings stay mutated: they are behaviour.
//
// Ignored, with everything inside them:
//   - the message argument of `new XxxError(...)`: index 1 for PoisonError, TransientError and
//     FatalError (index 0 is the code), 2 for ClassifiedError, 0 for any other `*Error`;
//   - the first argument of `super(...)` in a class that extends a `*Error`;
//   - the last argument of `<…>log.{trace,debug,info,warn,error,fatal}(...)`;
//   - the initialiser of a variable named `message`.
// Only when that argument is message text: a string literal, a template literal whose expressions
// are plain reads (names, member reads, calls of them, `as` casts) — so a conditional or a `??`
// inside a message stays mutated — or a `+` of such texts.

import type { NodePath } from "@stryker-mutator/api/ignore";
import { PluginKind, declareValuePlugin } from "@stryker-mutator/api/plugin";

// The few fields of Babel's AST and NodePath this ignorer reads (Stryker hands a @babel/traverse
// NodePath, whose types are not installed here).
type Node = {
  readonly type: string;
  readonly [field: string]: unknown;
};
type Path = {
  readonly node: Node;
  readonly key: string | number | null;
  readonly listKey?: string | undefined;
  readonly parentPath: Path | null;
};

const CODE_FIRST = new Set(["PoisonError", "TransientError", "FatalError"]);
const LOG_LEVELS = new Set(["trace", "debug", "info", "warn", "error", "fatal"]);

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && typeof (value as Node).type === "string";
}

function name(node: unknown): string | undefined {
  if (!isNode(node)) return undefined;
  if (node.type === "Identifier") return node["name"] as string;
  if (node.type === "PrivateName") return name(node["id"]);
  return undefined;
}

/** A read without logic of its own: nothing in it a mutator could change. */
function isPlainRead(node: unknown): boolean {
  if (!isNode(node)) return false;
  switch (node.type) {
    case "Identifier":
    case "ThisExpression":
      return true;
    case "MemberExpression":
      return !node["computed"] && isPlainRead(node["object"]);
    case "CallExpression":
      return isPlainRead(node["callee"]) && (node["arguments"] as unknown[]).every(isPlainRead);
    case "TSAsExpression":
    case "TSNonNullExpression":
      return isPlainRead(node["expression"]);
    default:
      return false;
  }
}

function isMessageText(node: Node): boolean {
  switch (node.type) {
    case "StringLiteral":
      return true;
    case "TemplateLiteral":
      return (node["expressions"] as unknown[]).every(isPlainRead);
    case "BinaryExpression":
      return (
        node["operator"] === "+" &&
        isNode(node["left"]) &&
        isNode(node["right"]) &&
        isMessageText(node["left"]) &&
        isMessageText(node["right"])
      );
    default:
      return false;
  }
}

function messageIndex(errorClass: string): number | undefined {
  if (CODE_FIRST.has(errorClass)) return 1;
  if (errorClass === "ClassifiedError") return 2;
  return errorClass.endsWith("Error") ? 0 : undefined;
}

function enclosingClass(path: Path): Node | undefined {
  for (let p = path.parentPath; p !== null; p = p.parentPath)
    if (p.node.type === "ClassDeclaration" || p.node.type === "ClassExpression") return p.node;
  return undefined;
}

export function whyIgnored(path: Path): string | undefined {
  if (!isMessageText(path.node)) return undefined;
  const parent = path.parentPath?.node;
  if (parent === undefined) return undefined;
  if (path.listKey === "arguments" && parent.type === "NewExpression") {
    const errorClass = name(parent["callee"]);
    if (errorClass !== undefined && path.key === messageIndex(errorClass))
      return `message text of a ${errorClass}`;
  }
  if (path.listKey === "arguments" && parent.type === "CallExpression") {
    const callee = parent["callee"];
    if (isNode(callee) && callee.type === "Super" && path.key === 0) {
      const base = name(enclosingClass(path)?.["superClass"]);
      if (base?.endsWith("Error")) return `message text of a ${base}`;
    }
    if (
      isNode(callee) &&
      callee.type === "MemberExpression" &&
      LOG_LEVELS.has(name(callee["property"]) ?? "")
    ) {
      const object = callee["object"];
      const receiver = isNode(object) && object.type === "MemberExpression" ? object["property"] : object;
      const last = (parent["arguments"] as unknown[]).length - 1;
      if (name(receiver)?.toLowerCase().endsWith("log") && path.key === last) return "log message text";
    }
  }
  if (parent.type === "VariableDeclarator" && path.key === "init" && name(parent["id"]) === "message")
    return "message text";
  return undefined;
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, "message-texts", {
    shouldIgnore: (path: NodePath) => whyIgnored(path as Path),
  }),
];
