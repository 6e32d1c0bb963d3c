// Argument checks shared by the operator commands: every bad value is refused by name, before any
// connection is made.

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { OpsInputError } from "./context.ts";

export function parse<O extends ParseArgsOptionsConfig>(argv: string[], options: O, positionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: positionals, strict: true });
  } catch (err) {
    throw new OpsInputError((err as Error).message);
  }
}

export function offsetArg(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new OpsInputError(`--${name} must be a non-negative integer, not ${value}`);
  return BigInt(value).toString();
}

export function partitionArg(value: string | undefined, name = "partition"): number | undefined {
  const text = offsetArg(value, name);
  return text === undefined ? undefined : Number(text);
}

/** An ISO-8601 time (`2026-12-01T14:00:00Z`) or milliseconds since the epoch. */
export function timeArg(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms) || (!/^\d+$/.test(value) && !/\d{4}-\d{2}-\d{2}/.test(value)))
    throw new OpsInputError(`--${name} must be an ISO-8601 time or epoch milliseconds, not ${value}`);
  return ms;
}

export function required<T>(value: T | undefined, what: string, command: string): T {
  if (value === undefined) throw new OpsInputError(`${what} is required (see cdc-sink ${command} --help)`);
  return value;
}
