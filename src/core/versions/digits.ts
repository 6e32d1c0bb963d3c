// Shared by every version scheme: fixed-width digits, the epoch, and poison errors that say what
// was wrong with a position or a column without ever quoting it (a version column is row data, and
// DLQ headers and logs must not carry row values: say the type and the length, never the value).

import { PoisonError } from "../errors.ts";
import { JsonNumber, numberText } from "../json.ts";

/** Digits of every number in a version: 2^64 - 1 has 20 decimal digits. */
export const WIDTH = 20;

export function missing(what: string): PoisonError {
  return new PoisonError("missing_version", `cannot derive a version: ${what}`);
}

/** What a value is, for an error message: its type and size, never its content. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return `a string of ${value.length} characters`;
  if (typeof value === "boolean") return "a boolean";
  if (typeof value === "number" || value instanceof JsonNumber) {
    const text = numberText(value) ?? String(value);
    const shape = /[.eE]/.test(text) ? " with a fraction or an exponent" : "";
    return `${text.startsWith("-") ? "a negative number" : "a number"}${shape}`;
  }
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  return "an object";
}

/** A non-negative integer as 20-digit text; anything else is a poison record. */
export function pad(value: unknown, what: string): string {
  const text = numberText(value);
  // Digits only: a fraction or an exponent ("2.0", "1e3") is not a log position or a counter, and
  // reading it as one would order "10.5" after "105".
  if (text === undefined || !/^\d+$/.test(text))
    throw missing(`${what} is not a non-negative integer (${describe(value)})`);
  const digits = text.replace(/^0+(?=\d)/, "");
  if (digits.length > WIDTH) throw missing(`${what} has more than ${WIDTH} digits`);
  return digits.padStart(WIDTH, "0");
}

/** VERSION_EPOCH (0–9999) as four digits. */
export function epochText(epoch: number): string {
  return String(epoch).padStart(4, "0");
}
