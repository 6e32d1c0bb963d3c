// One error hierarchy for the whole service, classified by the taxonomy of docs/semantics.md.
// Vendor errors (AWS SDK, kafkajs) are translated into these once, at the adapter boundary;
// expected outcomes (stale, duplicate) are return values, never errors. Codes are a closed list
// (error-codes.ts).

import type { ErrorCode, FatalCode, PoisonCode, TransientCode } from "./error-codes.ts";
export type { ErrorCode };

export const ErrorClass = {
  poison: "poison",
  transient: "transient",
  fatal: "fatal",
} as const;
export type ErrorClass = (typeof ErrorClass)[keyof typeof ErrorClass];

export class ClassifiedError extends Error {
  readonly errorClass: ErrorClass;
  /** Short stable code for metrics, logs and DLQ headers, e.g. `invalid_envelope` (error-codes.ts). */
  readonly code: ErrorCode;

  constructor(errorClass: ErrorClass, code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.errorClass = errorClass;
    this.code = code;
    this.name = new.target.name;
  }
}

/** The record itself is bad: never retried; dead-lettered, or the service stops without a DLQ. */
export class PoisonError extends ClassifiedError {
  declare readonly code: PoisonCode;
  constructor(code: PoisonCode, message: string, options?: { cause?: unknown }) {
    super(ErrorClass.poison, code, message, options);
  }
}

/** The outside world hiccupped: retried with backoff, never skipped, never dead-lettered. */
export class TransientError extends ClassifiedError {
  declare readonly code: TransientCode;
  constructor(code: TransientCode, message: string, options?: { cause?: unknown }) {
    super(ErrorClass.transient, code, message, options);
  }
}

/** The deployment is wrong (missing table, access denied, bad config): stop and exit non-zero. */
export class FatalError extends ClassifiedError {
  declare readonly code: FatalCode;
  readonly exitCode: number;
  constructor(code: FatalCode, message: string, exitCode: number, options?: { cause?: unknown }) {
    super(ErrorClass.fatal, code, message, options);
    this.exitCode = exitCode;
  }
}

/** Documented process exit codes (README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  badConfig: 2,
  fatal: 3,
  poisonWithoutDlq: 4,
  stuck: 5,
  kafkaCrash: 6,
  shutdownDeadline: 7,
} as const;

/**
 * What went wrong while handling one record, as that record's poison: a PoisonError as it is,
 * anything else (a RangeError deep in a converter, say) under `code`. Such work depends only on the
 * record, so its failure must never stall a partition or loop the service through restarts. The
 * cause is kept; the message names only the error's kind, never row bytes.
 */
export function asPoison(err: unknown, code: PoisonCode, doing: string): PoisonError {
  if (err instanceof PoisonError) return err;
  const kind = err instanceof Error ? err.name : typeof err;
  return new PoisonError(code, `${doing} failed unexpectedly (${kind})`, { cause: err });
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
