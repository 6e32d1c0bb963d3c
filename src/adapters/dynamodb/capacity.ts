// Write units of a DynamoDB write: what the reply's ConsumedCapacity reports (ReturnConsumedCapacity
// TOTAL), or the estimate from the item's size (1 WCU per started KB, 2× in a transaction) when the
// reply has none — a refused condition's error usually does not carry it, though DynamoDB charges it.

import type { PutItemCommandInput } from "@aws-sdk/client-dynamodb";
import { itemSize } from "../../core/marshal.ts";
import { writeUnits } from "../../engine/write-budget.ts";
import type { TransactItem } from "../../core/hard-delete.ts";

type WithCapacity = {
  ConsumedCapacity?: { CapacityUnits?: number } | readonly { CapacityUnits?: number }[];
};

/** The units a reply (or an error decorated with the reply's body) reports; undefined when none. */
export function consumedUnits(reply: unknown): number | undefined {
  const c = (reply as WithCapacity | undefined)?.ConsumedCapacity;
  if (c === undefined) return undefined;
  const all = Array.isArray(c)
    ? (c as readonly { CapacityUnits?: number }[])
    : [c as { CapacityUnits?: number }];
  const known = all.map((x) => x.CapacityUnits).filter((u): u is number => typeof u === "number");
  return known.length === 0 ? undefined : known.reduce((a, b) => a + b, 0);
}

/** The estimate for one conditional put before (or without) the store's answer. */
export function estimatedUnits(put: PutItemCommandInput, transactional: boolean): number {
  return writeUnits(
    put.Item === undefined ? 0 : itemSize(put.Item as Parameters<typeof itemSize>[0]),
    transactional,
  );
}

/**
 * The estimate for a transaction's actions: a Put by its item's size, a Delete or ConditionCheck as
 * one started KB (the item it touches is not known before the reply), each twice (transactional).
 */
export function estimatedActionUnits(items: readonly TransactItem[]): number {
  return items.reduce((n, a) => n + writeUnits("Put" in a ? itemSize(a.Put.Item!) : 0, true), 0);
}
