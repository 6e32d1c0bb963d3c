// Avro records shaped as Debezium's PostgreSQL connector writes them through an Avro converter
// (Confluent wire format), for tests. Encoding uses avsc with BigInt longs, so values beyond 2^53
// reach the decoder exactly.

import avro from "avsc";
import { forAvsc } from "../../src/core/avro/reader.ts";

const bigLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint | number) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: (v: number | string) => BigInt(v),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === "bigint" || Number.isSafeInteger(n),
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

/**
 * The Avro binary of `value` in `schema`; unions are written wrapped ({ branch: value }), maps as
 * arrays of { key, value } (the same bytes; see forAvsc).
 */
export function avroBody(schema: object, value: unknown): Buffer {
  const type = avro.Type.forSchema(forAvsc(schema) as avro.Schema, {
    registry: { long: bigLong },
    wrapUnions: true,
  });
  return type.toBuffer(value);
}

/** Confluent framing: magic byte 0, the schema id (big-endian), the body. */
export function framed(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

/** Two's-complement big-endian bytes of an unscaled decimal, as Connect's Decimal writes them. */
export function unscaledBytes(unscaled: bigint): Buffer {
  let hex = (unscaled < 0n ? (1n << 256n) + unscaled : unscaled).toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let buf = Buffer.from(hex, "hex");
  // Trim sign-extension bytes to the shortest form that keeps the sign.
  const fill = unscaled < 0n ? 0xff : 0x00;
  while (buf.length > 1 && buf[0] === fill && (buf[1]! & 0x80) === (fill & 0x80)) buf = buf.subarray(1);
  if (unscaled >= 0n && (buf[0]! & 0x80) !== 0) buf = Buffer.concat([Buffer.from([0]), buf]);
  return buf;
}

export const keySchema = {
  type: "record",
  name: "Key",
  namespace: "pg.public.customers",
  fields: [{ name: "id", type: "int" }],
  "connect.name": "pg.public.customers.Key",
};

/** Debezium's envelope around a row record (`Value`), with the PostgreSQL source block. */
export function envelopeSchema(valueFields: object[]): object {
  return {
    type: "record",
    name: "Envelope",
    namespace: "pg.public.customers",
    "connect.name": "pg.public.customers.Envelope",
    fields: [
      {
        name: "before",
        type: ["null", { type: "record", name: "Value", fields: valueFields }],
        default: null,
      },
      { name: "after", type: ["null", "Value"], default: null },
      {
        name: "source",
        type: {
          type: "record",
          name: "Source",
          namespace: "io.debezium.connector.postgresql",
          fields: [
            { name: "version", type: "string" },
            { name: "connector", type: "string" },
            { name: "name", type: "string" },
            { name: "ts_ms", type: "long" },
            { name: "db", type: "string" },
            { name: "sequence", type: ["null", "string"], default: null },
            { name: "schema", type: "string" },
            { name: "table", type: "string" },
            { name: "txId", type: ["null", "long"], default: null },
            { name: "lsn", type: ["null", "long"], default: null },
          ],
        },
      },
      { name: "op", type: "string" },
      { name: "ts_ms", type: ["null", "long"], default: null },
    ],
  };
}

/** The `source` block of a change at `lsn` (after a commit at `lastCommitLsn`). */
export function pgSource(lsn: bigint, lastCommitLsn: bigint | null = null): object {
  return {
    version: "3.1.0.Final",
    connector: "postgresql",
    name: "pg",
    ts_ms: 1_700_000_000_000n,
    db: "app",
    sequence: {
      string: JSON.stringify([lastCommitLsn === null ? null : String(lastCommitLsn), String(lsn)]),
    },
    schema: "public",
    table: "customers",
    txId: { long: 1n },
    lsn: { long: lsn },
  };
}
