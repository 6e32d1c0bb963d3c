// Coalescing within a fetched batch: of several records of one key, only the newest version needs
// a write. A conditional write of the newest leaves the row at least there, so writing the older
// ones could change nothing; they end as `stale` (or `duplicate` at an equal version) unwritten.

import type { ChangeEvent, KafkaRecord } from "../core/types.ts";
import { compareVersions } from "../core/versions/index.ts";

export type Candidate = { readonly event: ChangeEvent; readonly record: KafkaRecord };

function compareOffsets(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  // Stryker disable next-line EqualityOperator,ConditionalExpression: equivalent where it survives. The
  // offsets of one key's group are distinct records of one partition, never equal, so `<=` for `<`
  // and `>=` for `>` change nothing; and V8's sort only asks whether the answer is below 0, so 1 or 0
  // for a later offset (`true`/`false` for `x > y`) give one order, even for groups long enough to be
  // merged (test/unit/engine/coalesce-long.test.ts). The `x < y` branch is killed by the tests.
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The order in which one key's candidates are tried: newest version first; at an equal version the
 * later offset first (it is the one written). If the newest is poison the next newest is tried, so
 * a dead-lettered record never hides an older good one.
 */
export function newestFirst(group: readonly Candidate[]): Candidate[] {
  return [...group].sort(
    (a, b) =>
      compareVersions(b.event.version, a.event.version) || compareOffsets(b.record.offset, a.record.offset),
  );
}
