// Lossless JSON: Debezium puts 64-bit LSNs, bigint columns and exact decimals into JSON numbers,
// which JSON.parse would round through a double. Every number whose source text does not survive
// that round trip is kept as a JsonNumber holding its exact text.

export class JsonNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
  toJSON(): string {
    return this.text;
  }
}

export type JsonValue =
  null | boolean | number | string | JsonNumber | JsonValue[] | { [key: string]: JsonValue };

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

const reviver: Reviver = (_key, value, context) => {
  if (typeof value === "number" && context?.source !== undefined && String(value) !== context.source) {
    return new JsonNumber(context.source);
  }
  return value;
};

// The reviver costs: JSON.parse calls it back for every value with a context object, about five
// times a plain parse (12–15 against 2.5–3 µs for a 1 KB Debezium value; 7 % of the sink's CPU in
// the ceiling profile). So the numbers that need their text are found in the text first and quoted
// with a mark, the text is parsed plainly, and the marked strings become JsonNumbers.
// A candidate is a number token (JSON puts one only at the start or after '[', ':' or ',' and white
// space) with 16 or more digits (every integer of up to 15 digits is below 2^53 and prints back the
// same), a fraction or an exponent, or "-0"; a candidate that prints back the same stays as it is.
// A match inside a string (`"at: 1.50"`) is harmless: the inserted quote ends that string and the
// mark's backslash then stands outside one, which is always a syntax error, and a syntax error sends
// the text the reviver's way (which also words the error of a text that is malformed).
const CANDIDATE =
  /(?:^|[[:,])\s*(-?\d{16,}(?:\.\d+)?(?:[eE][+-]?\d+)?|-?\d+(?:\.\d+)?[eE][+-]?\d+|-?\d+\.\d+|-0)/g;
const MARK = "\u0001#";
const MARK_TEXT = "\\u0001#";

/** Deeper than this, a parsed text is refused as the reviver's recursion refused it: a RangeError. */
export const MAX_JSON_DEPTH = 1000;

function tooDeepJson(): RangeError {
  return new RangeError(`JSON nested more than ${MAX_JSON_DEPTH} lists or maps deep`);
}

/**
 * After a plain parse: marked strings become JsonNumbers (when `marked`), and a value nested deeper
 * than MAX_JSON_DEPTH throws a RangeError, as the reviver's recursive walk overflowed on one (the
 * callers word that as "too deep"; a plain JSON.parse nests as deep as the text goes, and the
 * recursive code after it would overflow). Iterative, so it never overflows itself.
 */
function settle(root: unknown, marked: boolean): unknown {
  if (typeof root === "string" && marked && root.startsWith(MARK))
    return new JsonNumber(root.slice(MARK.length));
  if (root === null || typeof root !== "object") return root;
  const stack: object[] = [root];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const container = stack.pop()!;
    const depth = depths.pop()!;
    if (depth > MAX_JSON_DEPTH) throw tooDeepJson();
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) {
        const v: unknown = container[i];
        if (typeof v === "object") {
          if (v !== null) {
            stack.push(v);
            depths.push(depth + 1);
          }
        } else if (marked && typeof v === "string" && v.startsWith(MARK))
          container[i] = new JsonNumber(v.slice(MARK.length));
      }
    } else {
      const o = container as { [key: string]: unknown };
      for (const k in o) {
        const v = o[k];
        if (typeof v === "object") {
          if (v !== null) {
            stack.push(v);
            depths.push(depth + 1);
          }
        } else if (marked && typeof v === "string" && v.startsWith(MARK))
          setOwn(o, k, new JsonNumber(v.slice(MARK.length)));
      }
    }
  }
  return root;
}

/** Parses JSON text; throws SyntaxError on malformed input. */
export function parseJson(text: string): JsonValue {
  // A string can hold U+0001 only escaped (JSON refuses raw control characters), as \u0001: a text
  // without that escape has no string that could look marked.
  if (text.includes("\\u0001")) return JSON.parse(text, reviver) as JsonValue;
  CANDIDATE.lastIndex = 0;
  let marked = "";
  let from = 0;
  for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
    const token = m[1]!;
    if (String(Number(token)) === token) continue;
    const at = m.index + m[0].length - token.length;
    marked += `${text.slice(from, at)}"${MARK_TEXT}${token}"`;
    from = at + token.length;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(from === 0 ? text : marked + text.slice(from));
  } catch {
    return JSON.parse(text, reviver) as JsonValue;
  }
  return settle(parsed, from > 0) as JsonValue;
}

/** Exact decimal text of a JSON number (or a string of digits, as Debezium sometimes sends). */
export function numberText(value: unknown): string | undefined {
  if (value instanceof JsonNumber) return value.text;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "string" && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value)) return value;
  return undefined;
}

/** Canonical JSON text, JsonNumbers written as their exact text; used for unambiguous key ids. */
export function canonicalJson(value: JsonValue | Uint8Array): string {
  if (value instanceof JsonNumber) return value.text;
  if (value instanceof Uint8Array) return JSON.stringify({ $b64: Buffer.from(value).toString("base64") });
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const parts = Object.keys(value).map(
      (k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as JsonValue)}`,
    );
    return `{${parts.join(",")}}`;
  }
  return JSON.stringify(value);
}

export function isPlainObject(value: unknown): value is { [key: string]: JsonValue } {
  return (
    value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof JsonNumber)
  );
}

/**
 * `target[key] = value`, also for the key `__proto__`: assigned, that name sets the prototype of a
 * plain object (or is ignored) and the entry vanishes; defined, it is an own property like any
 * other. Row columns and map keys are data, and may be called anything.
 */
export function setOwn<T>(target: { [key: string]: T }, key: string, value: T): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
