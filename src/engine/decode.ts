// Decoding inside the engine: every failure of one record's decoding is that record's poison.

import { asPoison } from "../core/errors.ts";
import type { DecodeOptions, Decoded, KafkaRecord } from "../core/types.ts";

export type Decode = (record: KafkaRecord, options: DecodeOptions) => Decoded;

/**
 * Decoding is pure and turns every bad input it knows into a PoisonError; anything else it throws is
 * still caused by this one record, so it is poison too (`decode_failed`, see core's asPoison).
 */
export function decodeSafely(decode: Decode, record: KafkaRecord, o: DecodeOptions): Decoded {
  try {
    return decode(record, o);
  } catch (err) {
    throw asPoison(err, "decode_failed", "decoding the record");
  }
}
