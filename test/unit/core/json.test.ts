import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { JsonNumber, MAX_JSON_DEPTH, canonicalJson, parseJson } from "../../../src/core/json.ts";

test("numbers a double cannot hold keep their exact text", () => {
  const v = parseJson(
    '{"lsn":18446744073709551615,"big":9007199254740993,"dec":"x","p":0.10,"safe":42}',
  ) as Record<string, unknown>;
  assert.deepEqual(v["lsn"], new JsonNumber("18446744073709551615"));
  assert.deepEqual(v["big"], new JsonNumber("9007199254740993"));
  assert.deepEqual(v["p"], new JsonNumber("0.10"));
  assert.equal(v["safe"], 42);
});

test("canonical JSON of any 64-bit integer keeps every digit", () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }), (n) => {
      assert.equal(canonicalJson(parseJson(`[${n}]`)), `[${n}]`);
    }),
  );
});

test("malformed JSON throws", () => {
  assert.throws(() => parseJson("{"), SyntaxError);
});

// The definition of lossless: every number whose text does not print back the same keeps its text.
function exact(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown, ctx?: { source?: string }) =>
    typeof v === "number" && ctx?.source !== undefined && String(v) !== ctx.source
      ? new JsonNumber(ctx.source)
      : v,
  );
}

const numberToken = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc
    .tuple(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.stringMatching(/^[0-9]{1,20}$/), fc.boolean())
    .map(([i, f, neg]) => `${neg ? "-" : ""}${i}.${f}`),
  fc
    .tuple(fc.integer({ min: -9, max: 9 }), fc.constantFrom("e", "E", "e+", "e-", "E-"), fc.nat(30))
    .map(([m, e, x]) => `${m}${e}${x}`),
  fc.constantFrom("-0", "0", "-0.0", "0.0", "1.0", "9007199254740993", "-9007199254740993", "1e21", "100"),
);
const space = fc.constantFrom("", " ", "\n", "\t", "\r\n  ");
// Strings that look like numbers after a delimiter, or like the parser's own marks.
const trickyString = fc
  .array(
    fc.constantFrom(
      ":",
      ",",
      "[",
      " ",
      "1",
      "0",
      "-",
      ".",
      "e",
      "9007199254740993",
      "\\u0001",
      "\\u0023",
      "#",
      "n",
      '\\"',
      "x",
    ),
    {
      maxLength: 8,
    },
  )
  .map((xs) => `"${xs.join("")}"`);
const key = fc.oneof(fc.string(), fc.constantFrom("__proto__", "1", "2", "a", "\u0001#1.50"));
const text: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    numberToken,
    fc.string().map((s) => JSON.stringify(s)),
    trickyString,
    fc.constantFrom("true", "false", "null"),
    fc
      .array(fc.tuple(space, tie("value"), space), { maxLength: 4 })
      .map((xs) => `[${xs.map((x) => x.join("")).join(",")}]`),
    fc
      .array(fc.tuple(key, space, tie("value")), { maxLength: 4 })
      .map((xs) => `{${xs.map(([k, w, v]) => `${JSON.stringify(k)}:${w}${v}`).join(",")}}`),
  ),
})).value;

test("any JSON text parses to the same values as the reviver's exact parse, numbers' text kept alike", () => {
  fc.assert(
    fc.property(fc.tuple(space, text, space), ([a, t, b]) => {
      const source = `${a}${t}${b}`;
      assert.deepEqual(parseJson(source), exact(source));
    }),
    { numRuns: 4000 },
  );
});

test("a Debezium value with ts_ns, a big LSN and a decimal: exact where a double is not", () => {
  const v = parseJson(
    '{"after":{"id":1,"price":12.50,"note":"at: 1.50, [9007199254740993"},' +
      '"source":{"version":"3.1.3.Final","ts_ns":1764748800123456789,"ts_us":1764748800123456,' +
      '"lsn":9007199254740997,"sequence":"[\\"9007199254740992\\",\\"9007199254740997\\"]"},"op":"c","ts_ms":1764748800123}',
  ) as { after: Record<string, unknown>; source: Record<string, unknown>; ts_ms: unknown };
  assert.deepEqual(v.after, { id: 1, price: new JsonNumber("12.50"), note: "at: 1.50, [9007199254740993" });
  assert.deepEqual(v.source["ts_ns"], new JsonNumber("1764748800123456789"));
  assert.equal(v.source["ts_us"], 1764748800123456);
  assert.deepEqual(v.source["lsn"], new JsonNumber("9007199254740997"));
  assert.equal(v.source["sequence"], '["9007199254740992","9007199254740997"]');
  assert.equal(v.ts_ms, 1764748800123);
});

test("a string holding the parser's mark stays a string, and a __proto__ key stays an own key", () => {
  const v = parseJson(
    '{"a":"\\u0001#123","__proto__":18446744073709551615,"b":[1.0,"\\u0001#1.0"]}',
  ) as Record<string, unknown>;
  assert.equal(v["a"], "\u0001#123");
  assert.deepEqual(
    Object.getOwnPropertyDescriptor(v, "__proto__")?.value,
    new JsonNumber("18446744073709551615"),
  );
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
  assert.deepEqual(v["b"], [new JsonNumber("1.0"), "\u0001#1.0"]);
});

test("a string spelling the mark with escapes (\\u0001\\u0023) stays a string", () => {
  assert.deepEqual(parseJson('["\\u0001\\u00231.50", 1.50]'), ["\u0001#1.50", new JsonNumber("1.50")]);
});

test("nesting: up to MAX_JSON_DEPTH parses, deeper is a RangeError as the reviver's overflow was, marks or not", () => {
  const deep = (n: number, inner: string) => "[".repeat(n) + inner + "]".repeat(n);
  assert.equal(JSON.stringify(parseJson(deep(MAX_JSON_DEPTH, "1"))), deep(MAX_JSON_DEPTH, "1"));
  assert.throws(() => parseJson(deep(MAX_JSON_DEPTH + 1, "1")), RangeError);
  assert.throws(() => parseJson(deep(200_000, "1.50")), RangeError);
  assert.throws(() => parseJson(`{"a":${deep(MAX_JSON_DEPTH, "{}")}}`), RangeError);
});
