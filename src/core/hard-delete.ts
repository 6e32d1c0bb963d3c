// Hard deletes (a mapping's `deletes: "hard"`, docs/mapping.md#hard-deletes): the row's item is
// removed, so readers of the table see it gone, and its version lives on in a small tombstone item
// of the companion table (same key schema, same key). Every write of such a mapping is one
// TransactWriteItems of two actions, so the row and its tombstone can never disagree:
//
//   delete at v:  Delete row       if absent, or (same row and) version < v
//                 Put tombstone v  if absent, or (same row and) version < v
//   upsert at v:  ConditionCheck tombstone: absent, or (same row and) version < v
//                 Put row          under the usual guard (core/mapping.ts)
//
// Invariant: a live row's version is newer than its tombstone's (a put passes only over an older
// tombstone; a delete passes only over an older row, and removes it). So an upsert onto an existing
// row needs only the row's own guard: `existingOnly` is that single conditional PutItem, tried first
// by the PutItem sink (1 WCU instead of a transaction's 2 + 2 per KB); it is refused without an old
// item exactly when the row is absent, and then the transaction decides. Pure: the adapters send it.

import type { Item, PutRequest } from "./attribute-value.ts";
import { META, type ItemOptions, type Position } from "./item.ts";
import type { TableMapping } from "./mapping.ts";
import { Outcome, type ChangeEvent, type WriteOutcome } from "./types.ts";
import { refusedOf, writeRequest } from "./write.ts";

/** A keyed action (Delete, ConditionCheck) of a transaction; assignable to the SDK's shapes. */
export type KeyedRequest = {
  TableName: string;
  Key: Item;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Item;
  ReturnValuesOnConditionCheckFailure: "ALL_OLD";
};

export type TransactItem =
  | { readonly Put: PutRequest }
  | { readonly Delete: KeyedRequest }
  | { readonly ConditionCheck: KeyedRequest };

/** One action's answer in a cancelled transaction (CancellationReasons, in request order). */
export type ActionReason = { readonly Code?: string | undefined; readonly Item?: Item | undefined };

/** The companion table's default name: next to the table it serves. */
export function defaultTombstoneTable(table: string): string {
  return `${table}-cdc-tombstones`;
}

/** True when this mapping's deletes remove the row (and write the companion tombstone). */
export function isHard(options: ItemOptions): options is ItemOptions & { mapping: TableMapping } {
  return options.mapping?.deletes === "hard";
}

function companion(options: ItemOptions): string {
  if (options.tombstoneTable === undefined)
    throw new Error(`table ${options.table}: deletes "hard" needs its tombstone table`);
  return options.tombstoneTable;
}

/**
 * The transaction items of one change: the row's action first, then (hard deletes) the companion's.
 * Without hard deletes, the one conditional Put of core/write.ts. Throws PoisonError as writeRequest.
 */
export function transactItems(
  event: ChangeEvent,
  at: Position,
  options: ItemOptions,
  nowMs: number,
): TransactItem[] {
  const put = writeRequest(event, at, options, nowMs);
  if (!isHard(options)) return [{ Put: put }];
  const mapping = options.mapping;
  const key = mapping.key(event);
  const guard = {
    ConditionExpression: put.ConditionExpression,
    ExpressionAttributeNames: put.ExpressionAttributeNames,
    ExpressionAttributeValues: put.ExpressionAttributeValues,
    ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const,
  };
  const tombstoneTable = companion(options);
  if (event.op !== "d")
    return [{ Put: put }, { ConditionCheck: { TableName: tombstoneTable, Key: key, ...guard } }];
  return [
    { Delete: { TableName: options.table, Key: key, ...guard } },
    { Put: { TableName: tombstoneTable, Item: tombstoneItem(event, key, put.Item!, mapping), ...guard } },
  ];
}

/**
 * The companion tombstone: the key, the version, and what the guard compares (`_cdc_source` and
 * `_cdc_id` on a templated key) — plus the TTL attribute when the soft tombstone would carry it.
 */
function tombstoneItem(event: ChangeEvent, key: Item, soft: Item, mapping: TableMapping): Item {
  const item: Item = { ...key, [META.version]: { S: event.version } };
  if (mapping.templated) {
    item[META.source] = { S: event.source };
    item[META.id] = { S: event.id };
  }
  const ttl = soft[mapping.ttlAttribute];
  if (ttl !== undefined) item[mapping.ttlAttribute] = ttl;
  return item;
}

const ABSENT_OR = "attribute_not_exists(#key) OR ";

/**
 * An upsert's first try: the row's own put, allowed only onto an existing row (see the invariant
 * above). Refused with an old item: read it as always (refusedOf); refused without: the row is
 * absent, send the transaction.
 */
export function existingOnly(put: PutRequest): PutRequest {
  if (!put.ConditionExpression.startsWith(ABSENT_OR))
    throw new Error(`unexpected guard ${put.ConditionExpression}`);
  // The guard is parenthesized already; DynamoDB refuses redundant parentheses (ValidationException).
  const guard = put.ConditionExpression.slice(ABSENT_OR.length);
  if (!guard.startsWith("(") || !guard.endsWith(")")) throw new Error(`unexpected guard ${guard}`);
  return { ...put, ConditionExpression: `attribute_exists(#key) AND ${guard}` };
}

/**
 * What a cancelled transaction means for this change, from its actions' reasons (in the order of
 * transactItems): undefined when none of its actions was refused (another change in the same
 * transaction was: send it again). A refused action's old item is read as a refused put's: another
 * row's item is a collision (poison), else the newest stored version decides — stale when one is
 * newer than the change, duplicate when equal. Any other code is returned for the caller to classify.
 */
export function cancelledOutcome(
  event: ChangeEvent,
  reasons: readonly ActionReason[],
  mapping: TableMapping | undefined,
): { outcome: WriteOutcome } | { code: string } | undefined {
  const other = reasons.find((r) => (r.Code ?? "None") !== "None" && r.Code !== "ConditionalCheckFailed");
  if (other !== undefined) return { code: other.Code! };
  const refused = reasons.filter((r) => r.Code === "ConditionalCheckFailed");
  if (refused.length === 0) return undefined;
  // Every action's guard begins `attribute_not_exists(#key) OR`: only an existing item refuses it,
  // and ALL_OLD hands it back (none: foreign_item, as for a refused put).
  const outcomes = refused.map((r) => refusedOf(event, r.Item, mapping));
  return { outcome: outcomes.includes(Outcome.stale) ? Outcome.stale : Outcome.duplicate };
}

/** The two requests a hard-delete write needs; the adapter sends them and classifies errors. */
export type HardStore = {
  /** A conditional PutItem: written, or refused with the stored item (ALL_OLD; none when absent). */
  put(request: PutRequest): Promise<{ written: true } | { written: false; old: Item | undefined }>;
  /**
   * TransactWriteItems: undefined when applied, else every action's reason in request order. A
   * reason other than ConditionalCheckFailed or None is thrown by the adapter, classified.
   */
  transact(items: readonly TransactItem[]): Promise<readonly ActionReason[] | undefined>;
};

/**
 * One change of a hard-delete mapping, alone: an upsert tries the single put onto an existing row
 * first (`optimistic`), then the transaction; a delete is the transaction.
 */
export async function writeHard(
  event: ChangeEvent,
  at: Position,
  options: ItemOptions,
  nowMs: number,
  store: HardStore,
  optimistic = true,
): Promise<WriteOutcome> {
  const items = transactItems(event, at, options, nowMs);
  if (optimistic && event.op !== "d" && "Put" in items[0]!) {
    const answer = await store.put(existingOnly(items[0].Put));
    if (answer.written) return Outcome.applied;
    if (answer.old !== undefined) return refusedOf(event, answer.old, options.mapping);
  }
  const reasons = await store.transact(items);
  if (reasons === undefined) return Outcome.applied;
  const read = cancelledOutcome(event, reasons, options.mapping);
  if (read === undefined || "code" in read)
    throw new Error(`transaction of one change cancelled without a refusal of its own`);
  return read.outcome;
}
