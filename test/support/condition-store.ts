// A table in memory that applies a conditional PutItem the way DynamoDB does: it evaluates the
// request's ConditionExpression (the subset the sink writes: attribute_(not_)exists, begins_with,
// =, <, AND, OR, parentheses) against the stored item and replaces the whole item when it holds,
// else hands back the stored item (ReturnValuesOnConditionCheckFailure: ALL_OLD). Written from
// DynamoDB's expression grammar, not from the sink's code, so a property test can check the
// sink's requests against it. Strings compare by code unit, which for the ASCII versions is
// DynamoDB's byte order.

import type { AttributeValue, Item, PutRequest } from "../../src/core/attribute-value.ts";

type Token = string;

function tokens(text: string): Token[] {
  return text.match(/\(|\)|,|=|<|[#:][A-Za-z0-9_]+|[A-Za-z_]+/g) ?? [];
}

function scalar(v: AttributeValue | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (v.S !== undefined) return `S${v.S}`;
  if (v.N !== undefined) return `N${v.N}`;
  if (v.B !== undefined) return `B${Buffer.from(v.B).toString("base64")}`;
  return JSON.stringify(v);
}

/** A conditional request: a PutItem, or a transaction's Delete or ConditionCheck. */
export type Conditional = Pick<
  PutRequest,
  "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues"
>;

export function evaluate(put: Conditional, stored: Item | undefined): boolean {
  const t = tokens(put.ConditionExpression);
  let i = 0;
  const name = (tok: Token): string => put.ExpressionAttributeNames[tok] ?? tok;
  const value = (tok: Token): AttributeValue => put.ExpressionAttributeValues[tok]!;
  const expect = (tok: Token): void => {
    if (t[i++] !== tok) throw new Error(`expected ${tok} in ${put.ConditionExpression}`);
  };
  const primary = (): boolean => {
    const tok = t[i++]!;
    if (tok === "(") {
      const r = or();
      expect(")");
      return r;
    }
    if (tok === "attribute_not_exists" || tok === "attribute_exists") {
      expect("(");
      const n = name(t[i++]!);
      expect(")");
      return (stored?.[n] === undefined) === (tok === "attribute_not_exists");
    }
    if (tok === "begins_with") {
      expect("(");
      const n = name(t[i++]!);
      expect(",");
      const v = value(t[i++]!);
      expect(")");
      const s = stored?.[n]?.S;
      return s !== undefined && v.S !== undefined && s.startsWith(v.S);
    }
    const left = stored?.[name(tok)];
    const op = t[i++];
    const right = value(t[i++]!);
    if (left === undefined) return false;
    if (op === "=") return scalar(left) === scalar(right);
    if (op === "<") return left.S !== undefined && right.S !== undefined && left.S < right.S;
    throw new Error(`unknown operator ${op}`);
  };
  const and = (): boolean => {
    let r = primary();
    while (t[i] === "AND") {
      i++;
      r = primary() && r;
    }
    return r;
  };
  const or = (): boolean => {
    let r = and();
    while (t[i] === "OR") {
      i++;
      r = and() || r;
    }
    return r;
  };
  return or();
}

export class ConditionStore {
  readonly items = new Map<string, Item>();

  readonly keyAttributes: readonly string[];

  constructor(keyAttributes: readonly string[]) {
    this.keyAttributes = keyAttributes;
  }

  keyOf(item: Item): string {
    return JSON.stringify(this.keyAttributes.map((a) => scalar(item[a])));
  }

  /** Applies the put: `true` when written, else the stored item (ALL_OLD). */
  put(put: PutRequest): { written: true } | { written: false; old: Item | undefined } {
    const key = this.keyOf(put.Item!);
    const stored = this.items.get(key);
    if (!evaluate(put, stored)) return { written: false, old: stored };
    this.items.set(key, put.Item!);
    return { written: true };
  }
}
