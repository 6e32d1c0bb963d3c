// The Confluent wire format, used by Confluent's and Apicurio's Avro converters (Apicurio with
// `apicurio.registry.headers.enabled=false` and its Confluent id handler): byte 0 is the magic byte
// 0, bytes 1–4 the schema id as a big-endian unsigned 32-bit integer, the rest the Avro binary
// encoding of one datum in that schema (no container file header).

import { PoisonError } from "../errors.ts";

export const MAGIC_BYTE = 0;
export const HEADER_BYTES = 5;

export type Framed = { readonly schemaId: number; readonly body: Buffer };

/** Splits a framed key or value into its schema id and Avro body; anything else is poison. */
export function unframe(bytes: Buffer, what: "key" | "value"): Framed {
  if (bytes.length < HEADER_BYTES || bytes[0] !== MAGIC_BYTE) {
    const first = bytes.length === 0 ? "no bytes" : `first byte 0x${bytes[0]!.toString(16).padStart(2, "0")}`;
    throw new PoisonError(
      "undecodable",
      `the message ${what} is not in the Confluent wire format (magic byte 0 and a 4-byte schema id; ` +
        `${bytes.length} bytes, ${first}); is RECORD_ENCODING=avro right for this topic?`,
    );
  }
  return { schemaId: bytes.readUInt32BE(1), body: bytes.subarray(HEADER_BYTES) };
}
