// DynamoDB's JSON protocol for the direct write path (wire.ts): the one difference between a write
// request as the core builds it and its JSON text is binary — `B` (and `BS`) travel as base64.
// Requests and answers hold binary rarely (ITEM_COMPRESSION=gzip rows, bytes columns), so a request
// is copied only where it holds some, and JSON.stringify does the rest.

type Av = Record<string, unknown>;

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const toBase64 = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");

/** The attribute value with its binary as base64, or the value itself when it holds none. */
function encodeValue(v: Av): Av {
  if (v["S"] !== undefined || v["N"] !== undefined) return v;
  if (isBytes(v["B"])) return { B: toBase64(v["B"]) };
  const bs = v["BS"];
  if (Array.isArray(bs)) return { BS: (bs as unknown[]).map((b) => (isBytes(b) ? toBase64(b) : b)) };
  const l = v["L"];
  if (Array.isArray(l)) {
    const out = (l as Av[]).map(encodeValue);
    return out.some((x, i) => x !== l[i]) ? { L: out } : v;
  }
  const m = v["M"];
  if (m !== undefined && m !== null && typeof m === "object") {
    const out = encodeMap(m as Record<string, Av>);
    return out === m ? v : { M: out };
  }
  return v;
}

/** An item (or key, or expression values) with binary as base64; itself when it holds none. */
export function encodeMap(map: Record<string, Av>): Record<string, Av> {
  let copy: Record<string, Av> | undefined;
  for (const k of Object.keys(map)) {
    const v = map[k]!;
    const e = encodeValue(v);
    if (e !== v) {
      // defineProperty-style copy: a `__proto__` attribute name stays an own attribute
      copy ??= Object.fromEntries(Object.entries(map));
      Object.defineProperty(copy, k, { value: e, enumerable: true, writable: true, configurable: true });
    }
  }
  return copy ?? map;
}

// The members of the two shapes, in the SDK's order: the SDK serializes by its schema and drops any
// other field an input carries (a PutItem input's ReturnConsumedCapacity inside a transaction's Put).
const PUT_ITEM = [
  "TableName",
  "Item",
  "Expected",
  "ReturnValues",
  "ReturnConsumedCapacity",
  "ReturnItemCollectionMetrics",
  "ConditionalOperator",
  "ConditionExpression",
  "ExpressionAttributeNames",
  "ExpressionAttributeValues",
  "ReturnValuesOnConditionCheckFailure",
] as const;
const TRANSACT_PUT = [
  "Item",
  "TableName",
  "ConditionExpression",
  "ExpressionAttributeNames",
  "ExpressionAttributeValues",
  "ReturnValuesOnConditionCheckFailure",
] as const;
const TRANSACT_KEYED = [
  "Key",
  "TableName",
  "ConditionExpression",
  "ExpressionAttributeNames",
  "ExpressionAttributeValues",
  "ReturnValuesOnConditionCheckFailure",
] as const;
const VALUES = new Set(["Item", "Key", "ExpressionAttributeValues"]);

function pick(input: Record<string, unknown>, members: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of members) {
    const v = input[m];
    if (v === undefined) continue;
    out[m] = VALUES.has(m) ? encodeMap(v as Record<string, Av>) : v;
  }
  return out;
}

/** A PutItem input as its JSON body holds it: its members only, binary as base64. */
export function putItemBody(input: object): Record<string, unknown> {
  return pick(input as Record<string, unknown>, PUT_ITEM);
}

/** A transaction's Put; its Delete and ConditionCheck (the actions of hard deletes, core/hard-delete.ts). */
const ACTIONS: Record<string, readonly string[]> = {
  Put: TRANSACT_PUT,
  Delete: TRANSACT_KEYED,
  ConditionCheck: TRANSACT_KEYED,
};

/**
 * One action of a transaction as its JSON body holds it, `{ [kind]: members }`. An action the sink
 * never builds (Update, or two kinds in one) is refused: its shape is not modelled here.
 */
export function transactActionBody(kind: string, action: object | undefined): Record<string, unknown> {
  const members = ACTIONS[kind];
  if (members === undefined || action === undefined)
    throw new TypeError("the direct path sends TransactWriteItems of Put, Delete and ConditionCheck only");
  return { [kind]: pick(action as Record<string, unknown>, members) };
}

/** As the SDK's base64 decoder: a Uint8Array view, not a Buffer. */
function fromBase64(text: string): Uint8Array {
  const b = Buffer.from(text, "base64");
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function decodeValue(v: Av): Av {
  if (typeof v["B"] === "string") return { B: fromBase64(v["B"]) };
  if (Array.isArray(v["BS"])) return { BS: (v["BS"] as string[]).map(fromBase64) };
  if (Array.isArray(v["L"])) return { L: (v["L"] as Av[]).map(decodeValue) };
  const m = v["M"];
  if (m !== undefined && m !== null && typeof m === "object")
    return { M: decodeMap(m as Record<string, Av>) };
  return v;
}

/** An item from an answer (JSON.parse keeps `__proto__` as an own key), binary back to bytes. */
export function decodeMap(map: Record<string, Av>): Record<string, Av> {
  for (const k of Object.keys(map)) {
    const v = map[k]!;
    const d = decodeValue(v);
    if (d !== v)
      Object.defineProperty(map, k, { value: d, enumerable: true, writable: true, configurable: true });
  }
  return map;
}

/**
 * A success's body as the SDK reads it: JSON, "" and a non-object (`null`) as `{}`. A body that does
 * not parse (cut short on the way) throws JSON.parse's SyntaxError as the SDK's deserializer leaves
 * it: the answer as a hidden `$response`, the status in `$metadata` (classifyAwsError reads both).
 */
export function parseOutput(text: string, response: object, $metadata: object): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = text === "" ? {} : JSON.parse(text);
  } catch (err) {
    Object.defineProperty(err, "$response", { value: { ...response, body: text }, enumerable: false });
    Object.assign(err as object, { $metadata });
    throw err;
  }
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : {};
}
