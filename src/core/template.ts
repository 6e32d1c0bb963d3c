// Key templates of a mapping (docs/mapping.md, "Templates"): text with references in braces —
// `{column}` (a key column), `{$source}`, `{$id}` — and `{{`/`}}` for literal braces. Pure: parsing,
// the static injectivity rules a template can be checked against alone, rendering one record's
// key text, and whether two templates can ever produce the same text.

import { PoisonError } from "./errors.ts";
import { JsonNumber, canonicalJson, type JsonValue } from "./json.ts";
import type { RowValue } from "./types.ts";

export const SOURCE_REF = "$source";
export const ID_REF = "$id";

export type Segment = { readonly lit: string } | { readonly ref: string };
export type Template = { readonly text: string; readonly segments: readonly Segment[] };

/** Parses a template; a string is the reason it is not one. */
export function parseTemplate(text: string): Template | string {
  const segments: Segment[] = [];
  let lit = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if ((c === "{" || c === "}") && text[i + 1] === c) {
      lit += c;
      i++;
    } else if (c === "}") {
      return `a lone "}" at position ${i} (write "}}" for a literal brace)`;
    } else if (c === "{") {
      const end = text.indexOf("}", i + 1);
      if (end < 0) return `"{" at position ${i} is never closed`;
      const ref = text.slice(i + 1, end);
      if (ref === "" || ref.includes("{")) return `an empty or nested reference at position ${i}`;
      if (ref.startsWith("$") && ref !== SOURCE_REF && ref !== ID_REF)
        return `unknown reference {${ref}} (only {${SOURCE_REF}}, {${ID_REF}} and key columns)`;
      if (lit !== "") segments.push({ lit });
      lit = "";
      segments.push({ ref });
      i = end;
    } else lit += c;
  }
  if (lit !== "") segments.push({ lit });
  if (segments.length === 0) return "is empty";
  return { text, segments };
}

export function refs(t: Template): string[] {
  return t.segments.flatMap((s) => ("ref" in s ? [s.ref] : []));
}

export function columnRefs(t: Template): string[] {
  return refs(t).filter((r) => !r.startsWith("$"));
}

/** Rule 2: every reference but the last is followed by a non-empty literal; else the reason. */
export function separationProblem(t: Template): string | undefined {
  for (let i = 0; i < t.segments.length - 1; i++) {
    const s = t.segments[i]!;
    const next = t.segments[i + 1]!;
    if ("ref" in s && "ref" in next)
      return `{${s.ref}}{${next.ref}} has no literal between the two references, so two different keys could produce the same text`;
  }
  return undefined;
}

/** The literal text before the first reference, and after the last; a constant is all prefix. */
function ends(t: Template): { prefix: string; suffix: string; constant: boolean } {
  const lits = (segs: readonly Segment[]): string => segs.map((s) => ("lit" in s ? s.lit : "")).join("");
  const first = t.segments.findIndex((s) => "ref" in s);
  if (first < 0) return { prefix: lits(t.segments), suffix: "", constant: true };
  const last = t.segments.length - 1 - [...t.segments].reverse().findIndex((s) => "ref" in s);
  return {
    prefix: lits(t.segments.slice(0, first)),
    suffix: lits(t.segments.slice(last + 1)),
    constant: false,
  };
}

const comparable = (a: string, b: string): boolean => a.startsWith(b) || b.startsWith(a);
const comparableEnds = (a: string, b: string): boolean => a.endsWith(b) || b.endsWith(a);

/**
 * True when the two templates can never produce the same text (rule 3): different constants, a
 * constant outside the other's prefix…suffix, or prefixes (suffixes) neither of which extends the
 * other. Both naming `{$source}` count as apart: different sources have different names.
 */
export function apart(a: Template, b: Template): boolean {
  if (refs(a).includes(SOURCE_REF) && refs(b).includes(SOURCE_REF)) return true;
  const x = ends(a);
  const y = ends(b);
  if (x.constant && y.constant) return x.prefix !== y.prefix;
  if (x.constant || y.constant) {
    const [c, t] = x.constant ? [x.prefix, y] : [y.prefix, x];
    return !(c.startsWith(t.prefix) && c.endsWith(t.suffix) && c.length >= t.prefix.length + t.suffix.length);
  }
  return !comparable(x.prefix, y.prefix) || !comparableEnds(x.suffix, y.suffix);
}

/** A key value as text: strings as they are, numbers exact, bytes base64, the rest canonical JSON. */
export function valueText(value: RowValue, where: string): string {
  if (value === null) throw new PoisonError("invalid_value", `${where} is null and cannot be part of a key`);
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value instanceof JsonNumber) return value.text;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  return canonicalJson(value as JsonValue);
}

export type RefValues = (ref: string) => RowValue;

/**
 * One record's key text. A value that contains the literal following it could be read back two
 * ways (`{a}#{b}` with a = "x#y"): refused as `mapping_key_ambiguous` before anything is written.
 */
export function render(t: Template, values: RefValues, attribute: string): string {
  let out = "";
  t.segments.forEach((s, i) => {
    if ("lit" in s) {
      out += s.lit;
      return;
    }
    const text = valueText(values(s.ref), `{${s.ref}} of key attribute ${attribute}`);
    const next = t.segments[i + 1];
    if (next !== undefined && "lit" in next && `${text}${next.lit}`.indexOf(next.lit) !== text.length)
      throw new PoisonError(
        "mapping_key_ambiguous",
        `the value of {${s.ref}} in key attribute ${attribute} contains the separator ` +
          `${JSON.stringify(next.lit)} that follows it in the template, so the key could belong to another row`,
      );
    out += text;
  });
  return out;
}
