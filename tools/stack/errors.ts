/**
 * The one error the stack scripts throw on purpose: its message is a single line that names what
 * is wrong and what to do, so the CLI prints it as is and exits non-zero.
 */
export class StackError extends Error {
  override readonly name = "StackError";
}

export function describeError(err: unknown): string {
  if (err instanceof StackError) return err.message;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
