import assert from "node:assert/strict";
import { PoisonError } from "../../src/core/errors.ts";

/** The code of the PoisonError `fn` throws; fails the test when it throws anything else, or nothing. */
export function poisonCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PoisonError, `expected PoisonError, got ${String(err)}`);
    return err.code;
  }
  assert.fail("expected a PoisonError");
}
