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

/** Parses JSON text; throws SyntaxError on malformed input. */
export function parseJson(text: string): JsonValue {
  return JSON.parse(text, reviver) as JsonValue;
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
