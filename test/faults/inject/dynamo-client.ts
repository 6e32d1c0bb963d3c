// Preload (`node --import`) for fault scenarios 18 and 19: makes the DynamoDB client misbehave for
// one item key, below the product's code, whatever write shape the product uses, through the SDK's
// send or the direct write path (DYNAMODB_WRITE_CLIENT).
//   INJECT_PK + INJECT_MODE=throw → a TypeError (a programming error in the handler)
//   INJECT_PK + INJECT_MODE=hang  → a write that never resolves

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoWire } from "../../../src/adapters/dynamodb/wire.ts";

const pk = process.env["INJECT_PK"];
const mode = process.env["INJECT_MODE"];
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with .call(this)
const original = DynamoDBClient.prototype.send;

function mentions(command: unknown): boolean {
  return (
    pk !== undefined &&
    JSON.stringify((command as { input?: unknown }).input ?? {}).includes(JSON.stringify(pk).slice(1, -1))
  );
}

DynamoDBClient.prototype.send = function (this: DynamoDBClient, command: unknown, ...rest: unknown[]) {
  if (mentions(command)) {
    if (mode === "throw") throw new TypeError("injected: cannot read properties of undefined (reading 'S')");
    if (mode === "hang") return new Promise(() => undefined);
  }
  return (original as (...a: unknown[]) => unknown).call(this, command, ...rest);
} as typeof DynamoDBClient.prototype.send;

// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with .call(this)
const direct = DynamoWire.prototype.send;

DynamoWire.prototype.send = function (this: DynamoWire, operation: unknown, input: unknown) {
  if (mentions({ input })) {
    if (mode === "throw") throw new TypeError("injected: cannot read properties of undefined (reading 'S')");
    if (mode === "hang") return new Promise(() => undefined);
  }
  return (direct as (...a: unknown[]) => unknown).call(this, operation, input);
} as typeof DynamoWire.prototype.send;
