import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { encodeId, itemKey, sourceName } from "../../../src/core/identity.ts";

const keyValue = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));

test("two different keys never encode to the same id, whatever characters they hold", () => {
  fc.assert(
    fc.property(
      fc.array(keyValue, { minLength: 1, maxLength: 3 }),
      fc.array(keyValue, { minLength: 1, maxLength: 3 }),
      (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        const ida = encodeId(a.map((value, i) => ({ name: `k${i}`, value })));
        const idb = encodeId(b.map((value, i) => ({ name: `k${i}`, value })));
        assert.notEqual(ida, idb);
      },
    ),
  );
});

test("separator-like characters in composite keys stay apart", () => {
  const a = encodeId([
    { name: "a", value: "x:y" },
    { name: "b", value: "z" },
  ]);
  const b = encodeId([
    { name: "a", value: "x" },
    { name: "b", value: "y:z" },
  ]);
  assert.notEqual(a, b);
  assert.equal(a, '["x:y","z"]');
});

test("item keys of different sources never collide, even when a source holds the separator", () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (s1, i1, s2, i2) => {
      fc.pre(s1 !== s2 || i1 !== i2);
      assert.notEqual(itemKey(s1, JSON.stringify([i1])), itemKey(s2, JSON.stringify([i2])));
    }),
  );
});

test("source name comes from the envelope's source block, else the topic, unless overridden", () => {
  assert.equal(
    sourceName({ name: "pg", db: "app", schema: "public", table: "t" }, "topic", undefined),
    "pg.app.public.t",
  );
  assert.equal(sourceName({ name: "my", db: "shop", table: "orders" }, "topic", undefined), "my.shop.orders");
  assert.equal(sourceName(undefined, "topic", undefined), "topic");
  assert.equal(sourceName({ name: "pg", table: "t" }, "topic", "custom"), "custom");
});
