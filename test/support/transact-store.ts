// Tables in memory that apply TransactWriteItems the way DynamoDB does: every action's condition is
// evaluated against its table's stored item first (test/support/condition-store.ts evaluates them
// from DynamoDB's grammar); all hold → every Put and Delete is applied, else nothing is and each
// action gets its reason (ConditionalCheckFailed with the old item, or None), in request order.
// An independent model of the conditional transaction for the hard-delete property test.

import type { Item } from "../../src/core/attribute-value.ts";
import type { ActionReason, TransactItem } from "../../src/core/hard-delete.ts";
import { ConditionStore, evaluate } from "./condition-store.ts";

export class TransactStore {
  readonly #tables = new Map<string, ConditionStore>();
  readonly #keyAttributes: readonly string[];

  constructor(keyAttributes: readonly string[]) {
    this.#keyAttributes = keyAttributes;
  }

  table(name: string): ConditionStore {
    let t = this.#tables.get(name);
    if (t === undefined) {
      t = new ConditionStore(this.#keyAttributes);
      this.#tables.set(name, t);
    }
    return t;
  }

  /** The whole transaction or nothing: undefined when applied, else each action's reason. */
  transact(items: readonly TransactItem[]): ActionReason[] | undefined {
    const actions = items.map((a) => {
      if ("Put" in a) return { table: a.Put.TableName, key: a.Put.Item!, request: a.Put, write: a.Put.Item };
      if ("Delete" in a)
        return { table: a.Delete.TableName, key: a.Delete.Key, request: a.Delete, write: null };
      return { table: a.ConditionCheck.TableName, key: a.ConditionCheck.Key, request: a.ConditionCheck };
    });
    const keys = actions.map((a) => `${a.table}/${this.table(a.table).keyOf(a.key)}`);
    if (new Set(keys).size !== keys.length) throw new Error("a transaction touched one item twice");
    const reasons: ActionReason[] = actions.map((a) => {
      const t = this.table(a.table);
      const stored: Item | undefined = t.items.get(t.keyOf(a.key));
      return evaluate(a.request, stored)
        ? { Code: "None" }
        : { Code: "ConditionalCheckFailed", Item: stored };
    });
    if (reasons.some((r) => r.Code !== "None")) return reasons;
    for (const a of actions) {
      const t = this.table(a.table);
      if (a.write === null) t.items.delete(t.keyOf(a.key));
      else if (a.write !== undefined) t.items.set(t.keyOf(a.key), a.write);
    }
    return undefined;
  }
}
