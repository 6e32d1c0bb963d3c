// Key templates (src/core/template.ts): parsing, the separation rule, when two templates can never
// produce the same text, and the run-time refusal of a value that could be read back two ways.

import assert from "node:assert/strict";
import { test } from "node:test";
import { PoisonError } from "../../../src/core/errors.ts";
import { JsonNumber } from "../../../src/core/json.ts";
import {
  apart,
  parseTemplate,
  refs,
  render,
  separationProblem,
  valueText,
  type Template,
} from "../../../src/core/template.ts";

function t(text: string): Template {
  const parsed = parseTemplate(text);
  assert.ok(typeof parsed !== "string", typeof parsed === "string" ? parsed : "");
  return parsed;
}

test("a template is literals and references; doubled braces are literal braces", () => {
  assert.deepEqual(t("ORDER#{order_id}#LINE#{line_no}").segments, [
    { lit: "ORDER#" },
    { ref: "order_id" },
    { lit: "#LINE#" },
    { ref: "line_no" },
  ]);
  assert.deepEqual(t("{{x}}{$source}").segments, [{ lit: "{x}" }, { ref: "$source" }]);
  assert.deepEqual(refs(t("META")), []);
});

test("malformed templates are refused with the reason", () => {
  assert.match(parseTemplate("A#{id") as string, /never closed/);
  assert.match(parseTemplate("A}") as string, /lone "}"/);
  assert.match(parseTemplate("A{}") as string, /empty or nested/);
  assert.match(parseTemplate("{$topic}") as string, /unknown reference \{\$topic\}/);
  assert.match(parseTemplate("") as string, /is empty/);
});

test("two references need a literal between them", () => {
  assert.match(separationProblem(t("{a}{b}"))!, /no literal between/);
  assert.equal(separationProblem(t("{a}#{b}")), undefined);
  assert.equal(separationProblem(t("X{a}")), undefined);
});

test("templates are apart when their constants, prefixes or suffixes cannot meet", () => {
  assert.equal(apart(t("META"), t("META")), false);
  assert.equal(apart(t("META"), t("INFO")), true);
  assert.equal(apart(t("CUSTOMER#{id}"), t("ORDER#{id}")), true);
  assert.equal(apart(t("A#{id}"), t("A#B{id}")), false);
  assert.equal(apart(t("{id}#A"), t("{id}#B")), true);
  assert.equal(apart(t("{id}"), t("X{id}")), false);
  assert.equal(apart(t("META"), t("ORDER#{id}")), true);
  assert.equal(apart(t("ORDER#1"), t("ORDER#{id}")), false);
  assert.equal(apart(t("ORD"), t("ORDER#{id}")), true);
  assert.equal(apart(t("{$source}:{$id}"), t("{$source}#{id}")), true);
});

test("values become key text exactly", () => {
  assert.equal(valueText("a b", "x"), "a b");
  assert.equal(valueText(42, "x"), "42");
  assert.equal(valueText(new JsonNumber("12345678901234567890"), "x"), "12345678901234567890");
  assert.equal(valueText(true, "x"), "true");
  assert.equal(valueText(new Uint8Array([1, 2]), "x"), "AQI=");
  assert.equal(valueText({ b: 1, a: [2] }, "x"), '{"b":1,"a":[2]}');
  assert.throws(
    () => valueText(null, "{id}"),
    (e: unknown) => e instanceof PoisonError && e.code === "invalid_value",
  );
});

test("rendering refuses a value holding the separator after it", () => {
  const v = (values: Record<string, unknown>) => (r: string) => values[r] as string;
  const tpl = t("ORDER#{a}#LINE#{b}");
  assert.equal(render(tpl, v({ a: "x", b: "y#LINE#z" }), "SK"), "ORDER#x#LINE#y#LINE#z");
  for (const a of ["x#LINE#y", "x#LINE", "x#LINE#"])
    assert.throws(
      () => render(tpl, v({ a, b: "1" }), "SK"),
      (e: unknown) =>
        e instanceof PoisonError && e.code === "mapping_key_ambiguous" && !e.message.includes(a),
      a,
    );
  // A value ending where the separator's own start would overlap is caught too ("a#" + "##"); a
  // value that merely resembles the separator is not ("x#LIN" + "#LINE#" reads back one way).
  assert.equal(render(tpl, v({ a: "x#LIN", b: "1" }), "SK"), "ORDER#x#LIN#LINE#1");
  assert.throws(() => render(t("{a}##{b}"), v({ a: "a#", b: "1" }), "PK"), /contains the separator/);
  assert.equal(render(t("{a}##{b}"), v({ a: "a", b: "#1" }), "PK"), "a###1");
});
