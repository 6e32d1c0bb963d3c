// Decoding inside the engine: every failure of one record's decoding is that record's poison.

import { PoisonError } from "../core/errors.ts";
import type { DecodeOptions, Decoded, KafkaRecord } from "../core/types.ts";

export type Decode = (record: KafkaRecord, options: DecodeOptions) => Decoded;

/**
 * Decoding is pure and turns every bad input it knows into a PoisonError; anything else it throws
 * (a RangeError deep in a converter, say) is still caused by this one record, so it is poison too —
 * never a stall of the partition or a crash loop. The cause is kept; the message names only the
 * error's kind, never row bytes.
 */
export function decodeSafely(decode: Decode, record: KafkaRecord, o: DecodeOptions): Decoded {
  try {
    return decode(record, o);
  } catch (err) {
    if (err instanceof PoisonError) throw err;
    const kind = err instanceof Error ? err.name : typeof err;
    throw new PoisonError("decode_failed", `decoding the record failed unexpectedly (${kind})`, {
      cause: err,
    });
  }
}
