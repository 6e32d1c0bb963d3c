// DynamoDB's wire types as the core builds them, without importing the AWS SDK (core is pure).
// Each member names its one key and forbids the others, exactly as the SDK's AttributeValue union
// does, so a value built here is assignable to the SDK's type and an adapter passes it on as is.
// Only the kinds the sink writes are here: no sets (SS, NS, BS) — row arrays become lists.

type Kinds = {
  S: string;
  N: string;
  B: Uint8Array;
  BOOL: boolean;
  NULL: boolean;
  L: AttributeValue[];
  M: Record<string, AttributeValue>;
};

type Only<K extends keyof Kinds> = { [P in K]: Kinds[P] } & {
  [P in Exclude<keyof Kinds | "SS" | "NS" | "BS" | "$unknown", K>]?: never;
};

export type AttributeValue =
  Only<"S"> | Only<"N"> | Only<"B"> | Only<"BOOL"> | Only<"NULL"> | Only<"L"> | Only<"M">;

export type Item = Record<string, AttributeValue>;

/** The conditional PutItem that buildPut returns; assignable to the SDK's PutItemCommandInput. */
export type PutRequest = {
  TableName: string;
  // buildPut always sets it; declared as PutItemCommandInput declares it (`Item: … | undefined`), so
  // adapter code written against the SDK's type (`put.Item!`) reads this one unchanged.
  Item: Item | undefined;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Item;
  ReturnValuesOnConditionCheckFailure: "ALL_OLD";
};
