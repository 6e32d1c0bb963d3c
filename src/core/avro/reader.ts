// One registry schema, ready to read record keys or values: avsc decodes the Avro binary, the plan
// (plan.ts) turns the result into the parsed shape core/decode.ts's decodeMessage takes.
//
// avsc's own longs are JS numbers and refuse values beyond 2^53; Debezium's LSNs, bigint columns
// and microsecond timestamps need all 64 bits, so longs are read as BigInt (avsc's documented
// custom long type: the 8-byte little-endian two's complement it unpacks from the zig-zag varint).

import avro from "avsc";
import { PoisonError, errorMessage } from "../errors.ts";
import type { Message } from "../decode.ts";
import { compilePlan, type Plan } from "./plan.ts";

const bigLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  // avsc's __with needs every hook; a reader only decodes (fromBuffer): what the others return never
  // reaches a decoded value. Disabled up to forAvsc.
  // Stryker disable all
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(n);
    return buf;
  },
  fromJSON: (v: number | string) => BigInt(v),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === "bigint",
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

/**
 * The schema as avsc should build it, binary-identical to the registry's:
 * - avsc maps the name "long" through its registry (to bigLong) but builds a `{"type": "long", …}`
 *   object (how logical and Connect types are written) with its own number long, which would round
 *   microsecond timestamps and LSNs: such objects become "long" (their attributes matter only to
 *   the plan, which reads the original schema).
 * - avsc reads a map into `{}` by assignment, which loses a key called `__proto__`; a map's
 *   encoding (blocks of key string, value) is that of an array of {key, value} records, read as such.
 */
// Stryker restore all
export function forAvsc(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(forAvsc);
  if (schema === null || typeof schema !== "object") return schema;
  const s = schema as Record<string, unknown>;
  if (s["type"] === "long") return "long";
  if (s["type"] === "map") {
    const entry = {
      type: "record",
      fields: [
        { name: "key", type: "string" },
        { name: "value", type: forAvsc(s["values"]) },
      ],
    };
    return { type: "array", items: entry };
  }
  const out: Record<string, unknown> = { ...s };
  // Stryker disable next-line ConditionalExpression: forAvsc returns a name or null as it is
  if (typeof s["type"] === "object") out["type"] = forAvsc(s["type"]);
  if ("items" in s) out["items"] = forAvsc(s["items"]);
  if (Array.isArray(s["fields"]))
    out["fields"] = s["fields"].map((f: unknown) =>
      f !== null && typeof f === "object" ? { ...f, type: forAvsc((f as { type?: unknown }).type) } : f,
    );
  return out;
}

export type AvroReader = {
  readonly schemaId: number;
  /** The Avro body (after the 5-byte header) → the payload and its Connect-style schema. */
  read(body: Buffer, what: "key" | "value"): Message;
};

/** Compiles a schema as the registry returned it (its text); an unusable schema is poison. */
export function compileReader(schemaId: number, schemaText: string): AvroReader {
  let schema: unknown;
  let type: avro.Type;
  try {
    schema = JSON.parse(schemaText);
    // wrapUnions: every union value names its branch, which the plan needs to convert it.
    type = avro.Type.forSchema(forAvsc(schema) as avro.Schema, {
      registry: { long: bigLong },
      wrapUnions: true,
    });
  } catch (err) {
    throw new PoisonError(
      "avro_schema_invalid",
      `schema ${schemaId} from the registry is not a valid Avro schema: ${errorMessage(err)}`,
    );
  }
  const plan: Plan = compilePlan(schema);
  return {
    schemaId,
    read(body, what) {
      let value: unknown;
      try {
        value = type.fromBuffer(body);
      } catch (err) {
        // avsc says "truncated buffer" or "trailing data"; neither quotes the row's bytes.
        throw new PoisonError(
          "avro_mismatch",
          `the message ${what} (${body.length} bytes after the header) does not decode with its ` +
            `schema ${schemaId}: ${errorMessage(err)}`,
        );
      }
      return { payload: plan.convert(value), schema: plan.connect() };
    },
  };
}
