// A column may be called `__proto__` (PostgreSQL allows any quoted identifier). Assigned to a
// plain object, that name sets the prototype or is ignored: the column would vanish with no error.

import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeKafkaRecord } from "../../../src/core/record.ts";
import { buildPut } from "../../../src/core/item.ts";
import { toAttribute } from "../../../src/core/marshal.ts";
import { parseJson } from "../../../src/core/json.ts";
import type { ChangeEvent } from "../../../src/core/types.ts";
import { pgEnvelope, record } from "../../support/debezium-records.ts";

const auto = { versionSource: "auto", epoch: 0 } as const;
const at = { topic: "t", partition: 0, offset: "1" };
const itemOptions = {
  table: "t",
  keyAttribute: "pk",
  ttlAttribute: "_cdc_expires_at",
  tombstoneTtlSeconds: 0,
  compression: "none",
} as const;

const own = (o: object, name: string) => Object.prototype.hasOwnProperty.call(o, name);

// JSON text, not an object literal: in a literal `__proto__:` sets the prototype.
const envelope = JSON.stringify(pgEnvelope({ op: "u", id: 1, lsn: 10 })).replace(
  '"after":{"id":1}',
  '"after":{"id":1,"__proto__":"kept","doc":{"__proto__":{"x":1}}}',
);

function decoded(value: string): ChangeEvent {
  const d = decodeKafkaRecord(
    record({ offset: "1", key: Buffer.from('{"id":1}'), value: Buffer.from(value) }),
    auto,
  );
  assert.equal(d.kind, "change");
  return (d as { event: ChangeEvent }).event;
}

function check(event: ChangeEvent): void {
  assert.ok(own(event.row!, "__proto__"), "the decoded row lost its __proto__ column");
  assert.equal(event.row!["__proto__"], "kept");
  const item = buildPut(event, at, itemOptions, 0).Item!;
  assert.ok(own(item, "__proto__"), "the item lost its __proto__ attribute");
  assert.deepEqual(item["__proto__"], { S: "kept" });
  const doc = item["doc"]!.M!;
  assert.ok(own(doc, "__proto__"), "a nested map lost its __proto__ key");
  assert.ok(own(doc["__proto__"]!.M!, "x"));
}

test("a __proto__ column survives decoding and the item, without a schema", () => {
  check(decoded(envelope));
});

test("a __proto__ column survives decoding and the item, with the JsonConverter schema", () => {
  const schema = {
    type: "struct",
    fields: [
      {
        field: "after",
        type: "struct",
        fields: [
          { field: "id", type: "int32" },
          { field: "__proto__", type: "string" },
          { field: "doc", type: "struct", fields: [{ field: "__proto__", type: "struct", fields: [] }] },
        ],
      },
    ],
  };
  check(decoded(`{"schema":${JSON.stringify(schema)},"payload":${envelope}}`));
});

test("a __proto__ key column keeps its place in the key and the tombstone", () => {
  const value = JSON.stringify(pgEnvelope({ op: "d", id: 1, lsn: 10 }));
  const d = decodeKafkaRecord(
    record({ offset: "1", key: Buffer.from('{"__proto__":7}'), value: Buffer.from(value) }),
    auto,
  );
  assert.ok(d.kind === "change");
  const event = (d as { event: ChangeEvent }).event;
  assert.equal(event.id, "[7]");
  const item = buildPut(event, at, itemOptions, 0).Item!;
  assert.ok(own(item, "__proto__"));
  assert.deepEqual(item["__proto__"], { N: "7" });
});

test("toAttribute keeps a __proto__ key of a map", () => {
  const m = toAttribute(parseJson('{"__proto__":1,"a":2}')).M!;
  assert.deepEqual(Object.keys(m).sort(), ["__proto__", "a"]);
});
